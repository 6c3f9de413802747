// One emulated idle period: a fresh userfaultfd region the size of the source's image, a Fetcher
// serving it from `source` with the named prefetcher, the trace replayed on it (replay.hpp), then the
// fetcher's figures gathered into the simulator's per-period record (period_csv.hpp).
//
// With `sleep`, the fetcher gets the named sleep rule and a SleepController (emu/server/) puts the
// desktop to sleep whenever the rule says so during the replay; the source wakes it at the next fault.
// The rule runs on the fetcher's clock, which runs in trace time: at --speed S it advances S
// microseconds per microsecond of wall time (FetcherOptions::clock_speed), so a 10 s timeout is 10 s
// of trace (1 s of real time at --speed 10) and the replay sleeps as often at any speed. What the
// desktop does in real time (suspending, resuming) still takes its real time, which the rule sees
// S times longer: give an emulated desktop its transition times divided by S (jettison-desktop
// --speed S does that) to keep the whole run in proportion. With `write_back`, the dirty pages
// are sent back (reintegration) after the replay, with their current content.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "emu/fetch/fetcher.hpp"
#include "emu/remote/remote_source.hpp"
#include "emu/replay/period_csv.hpp"
#include "emu/replay/replay.hpp"
#include "emu/server/sleep_controller.hpp"

namespace jettison::emu {

struct ReplaySleepOptions {
  DesktopPower* desktop = nullptr;  // required: what the controller tells to sleep (RemoteDesktop)
  std::string rule = "timeout";     // a sleep rule from the registry (oracle is refused)
  policy::SleepParams params;
  policy::SleepCosts costs = default_sleep_costs();
  SleepControllerOptions controller;
};

struct ReplayRunOptions {
  ScheduleOptions schedule;  // region_pages is set from the source
  std::string prefetch = "none";
  policy::PrefetchParams prefetch_params;
  bool dirty_tracking = false;  // register MISSING|WP: writes after a read are tracked exactly
  std::optional<std::filesystem::path> verify_image;  // check every touched page against this file
  std::string desktop;                                // the record's desktop column
  std::function<std::uint64_t()> wakeups;             // the source's wake-up counter; none: 0
  std::function<std::uint64_t()> wire_bytes;          // the source's wire bytes; none: page data only
  std::optional<StateTimes> state_time;               // the desktop's state times, when known
  std::optional<Energy> energy;                       // ... and their energy
  std::optional<ReplaySleepOptions> sleep;            // a sleep rule and controller; none: never sleep
  // Reintegration after the replay (RemoteSource::write_back); none: no write-back.
  std::function<RemoteWriteBackResult(std::span<const DirtyPage>)> write_back;
  // Called at the very end, before the region is unmapped (tests compare it with the image). Only
  // pages fetcher.resident() says are resident may be read.
  std::function<void(const UffdRegion&, const Fetcher&)> inspect;
};

struct ReplayRun {
  std::vector<ScheduledAccess> schedule;
  ReplayResult replay;
  FetchStats stats;
  std::vector<std::chrono::nanoseconds> latencies;  // per demand page
  std::vector<std::uint64_t> dirty;                 // the fetcher's dirty set, sorted
  std::vector<std::uint64_t> prefetched;            // resident pages no fault asked for, sorted
  std::optional<VerifyResult> verify;
  std::vector<SleepEvent> sleep_events;       // the controller's log, with `sleep`
  std::optional<SleepSummary> sleep;          // ... and its counts
  std::optional<std::string> sleep_mismatch;  // SleepController::check_wakeups(), with `sleep`
  std::optional<RemoteWriteBackResult> write_back;
  EmulatedPeriod period;
};

// Throws InputError for a bad schedule or sleep rule (before anything is mapped), UffdError when
// userfaultfd is unavailable, SourceFailed when the fetcher failed (the replay is then abandoned) or
// the write-back failed.
ReplayRun run_replay(const traces::PageProfile& profile, PageSource& source, const ReplayRunOptions& options);

}  // namespace jettison::emu
