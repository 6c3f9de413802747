// The consolidation server's side of one desktop: a session that hosts the desktop's VM for one idle
// period after another, as an explicit state machine (session_phase.hpp, one log line per change).
//
// Per period:
//   waiting-for-vm  with a desktop link, polls the desktop agent until its VM has migrated out (a new
//                   epoch with its device state ready); without one (a local region, a VM process
//                   handing its uffd over) the period starts at once
//   migrating-in    the backend prepares the VM's empty memory (registered with userfaultfd), the
//                   fetcher starts serving its faults from the desktop, the device state is fetched
//                   and loaded, the guest runs
//   serving         faults fetched on demand (prefetching, the sleep rule putting the desktop to
//                   sleep, magic packets waking it) until the user is back at the desktop (the link
//                   says so), the run time is over, the guest ends or a stop is asked
//   reintegrating   the guest is paused and its device state saved, the fetcher stops, the dirty
//                   pages go back through the journalled write-back, THEN the device state, so the
//                   desktop resumes its VM only once every dirtied page is in its RAM file
// then the next period, or done. The per-period record (the simulator's periods.csv columns) and the
// page trace the guest produced (first touches and first writes, anchored at the VM's resume here)
// are returned and, with an output folder, written.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/time.hpp"
#include "emu/fetch/fetcher.hpp"
#include "emu/remote/remote_source.hpp"
#include "emu/replay/period_csv.hpp"
#include "emu/server/desktop_link.hpp"
#include "emu/server/host_status.hpp"
#include "emu/server/session_phase.hpp"
#include "emu/server/sleep_controller.hpp"
#include "emu/vm/hosted_vm.hpp"
#include "policy/prefetcher.hpp"
#include "policy/sleep_scheduler.hpp"
#include "traces/io/page_profile.hpp"

namespace jettison::emu {

// What the session knows of the VM about to arrive, for the backend that prepares it.
struct IncomingVm {
  std::uint64_t epoch = 0;  // the desktop's migration number (the period's index + 1 without a link)
  std::uint64_t pages = 0;  // the desktop's image, in pages
  std::uint64_t page_size = 0;
  std::uint64_t guest_ram_bytes = 0;    // as the desktop reported it (0 without a link)
  std::vector<std::byte> device_state;  // as the desktop sent it (empty without a link)
  bool adopted = false;                 // the guest already runs here (a restarted server takes it over)
};

using HostedVmFactory = std::function<std::unique_ptr<HostedVm>(const IncomingVm&)>;

struct HostSessionConfig {
  std::string desktop = "desktop";  // the records' desktop column and the log's name
  std::string prefetch = "none";
  policy::PrefetchParams prefetch_params;
  std::string sleep_rule;  // empty: the desktop is never told to sleep
  policy::SleepParams sleep_params;
  policy::SleepCosts sleep_costs = default_sleep_costs();
  SleepControllerOptions controller;
  FetcherOptions fetcher;
  bool write_back = true;  // reintegrate the dirty pages (when the source can)
  // After the write-back, read the dirty pages back from the desktop and compare them byte for byte
  // with this side's copy before the VM may resume there (a mismatch fails the period).
  bool verify_write_back = false;
  std::optional<Duration> run_for;                 // end each serving phase after this long (tests, demos)
  std::uint32_t periods = 1;                       // idle periods to host; 0: until stopped
  Duration state_timeout = Duration::seconds(60);  // loading / saving / returning device state
  std::chrono::milliseconds poll{100};             // how often the desktop's VM status is polled
  std::uint64_t max_guest_ram = 0;  // bytes; a bigger guest is refused (sent back at once); 0: no limit
  // The first period takes over a guest of this epoch that a server process that died left running
  // (the factory adopts it; its dirty-page log is read back); none: wait for the desktop.
  std::optional<std::uint64_t> adopt_epoch;
  // Why the session should end now (a signal, ...), or empty; polled at least every `poll`.
  std::function<std::string()> stop_requested;
  // After the guest is paused and before the fetcher stops (tests compare memory here).
  std::function<void(const UffdRegion&, const Fetcher&)> inspect;
  // After the write-back (and the device state's return), before the VM is discarded (tests compare
  // the region with the desktop's image here).
  std::function<void(const UffdRegion&, const Fetcher&)> reintegrated;
};

// One hosted period's outcome.
struct HostedPeriod {
  std::uint64_t epoch = 0;
  FetchStats stats;
  std::vector<std::chrono::nanoseconds> latencies;  // demand faults
  std::vector<std::uint64_t> dirty;                 // sorted
  std::vector<traces::PageRow> trace;               // first touches and first writes, in time order
  std::vector<SleepEvent> sleep_events;
  std::optional<SleepSummary> sleep;
  std::optional<std::string> sleep_mismatch;
  std::optional<RemoteWriteBackResult> write_back;
  std::optional<std::uint64_t> verified_pages;  // dirty pages read back equal (verify_write_back)
  Bytes state_in, state_out;                    // device state bytes each way
  Duration migrate_in;                          // state received -> guest running here
  Duration reintegration;                       // serving ended -> desktop acknowledged the returned state
  std::string ended_because;
  EmulatedPeriod period;  // the simulator's per-period record
};

// Where the pages come from and go back to: the desktop agent over the network (remote_session_source())
// or, for replays and benchmarks, any PageSource.
struct SessionSource {
  PageSource* pages = nullptr;    // required
  DesktopPower* power = nullptr;  // what the sleep rule puts to sleep; null: no sleep control
  // Reintegration of the dirty pages; none: they are not written back.
  std::function<RemoteWriteBackResult(std::span<const DirtyPage>)> write_back;
  std::function<std::uint64_t()> wakeups;     // Wake-on-LAN wake-ups so far; none: 0
  std::function<std::uint64_t()> wire_bytes;  // bytes both ways so far; none: page data only
};
// `desktop` adapts `source` for the sleep controller; both must outlive the session.
SessionSource remote_session_source(RemoteSource& source, RemoteDesktop& desktop);

class HostSession {
 public:
  // `link` may be null (no VM messages: a period starts at once and ends on run_for, a stop or the
  // guest's end). What `source` points to and `link` must outlive the session.
  HostSession(HostSessionConfig config, SessionSource source, DesktopLink* link, HostedVmFactory factory);
  ~HostSession();
  HostSession(const HostSession&) = delete;
  HostSession& operator=(const HostSession&) = delete;

  // Runs periods until done; returns the periods hosted (a failed one included, as far as it got).
  // Throws nothing for runtime failures: the phase becomes failed and error() says why.
  std::vector<HostedPeriod> run();

  SessionPhase phase() const { return phases_.phase(); }
  const SessionPhases& phases() const { return phases_; }
  std::string error() const;
  // What the session is doing now, for the control socket's status; any thread.
  HostStatus status() const;
  // Asks run() to end: a serving phase reintegrates, a waiting phase ends. Any thread.
  void request_stop(std::string why);

 private:
  std::optional<IncomingVm> wait_for_vm(std::uint64_t period);
  bool host(IncomingVm incoming, HostedPeriod& out);
  std::string serve(HostedVm& vm, Fetcher& fetcher);
  std::string stop_reason();
  void fail(std::string why);

  HostSessionConfig config_;
  SessionSource source_;
  DesktopLink* link_;
  HostedVmFactory factory_;
  SessionPhases phases_;
  std::uint64_t last_epoch_ = 0;

  mutable std::mutex mu_;
  std::string error_, stop_why_;
  // For status(): the period hosted now (its machinery while it exists) and the last one done.
  std::optional<std::uint64_t> live_epoch_;
  const Fetcher* live_fetcher_ = nullptr;
  const SleepController* live_controller_ = nullptr;
  std::uint64_t live_wakeups_before_ = 0;
  bool live_written_back_ = false;
  std::optional<std::int64_t> last_wake_unix_ms_;
  std::optional<HostedPeriodStatus> last_period_;
  std::uint64_t periods_hosted_ = 0;
  std::atomic<bool> stop_{false};
};

}  // namespace jettison::emu
