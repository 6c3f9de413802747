// One emulated idle period: a fresh userfaultfd region the size of the source's image, a Fetcher
// serving it from `source` with the named prefetcher, the trace replayed on it (replay.hpp), then the
// fetcher's figures gathered into the simulator's per-period record (period_csv.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "emu/fetch/fetcher.hpp"
#include "emu/replay/period_csv.hpp"
#include "emu/replay/replay.hpp"

namespace jettison::emu {

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
};

struct ReplayRun {
  std::vector<ScheduledAccess> schedule;
  ReplayResult replay;
  FetchStats stats;
  std::vector<std::chrono::nanoseconds> latencies;  // per demand page
  std::vector<std::uint64_t> dirty;                 // the fetcher's dirty set, sorted
  std::vector<std::uint64_t> prefetched;            // resident pages no fault asked for, sorted
  std::optional<VerifyResult> verify;
  EmulatedPeriod period;
};

// Throws InputError for a bad schedule (before anything is mapped), UffdError when userfaultfd is
// unavailable, SourceFailed when the fetcher failed (the replay is then abandoned).
ReplayRun run_replay(const traces::PageProfile& profile, PageSource& source, const ReplayRunOptions& options);

}  // namespace jettison::emu
