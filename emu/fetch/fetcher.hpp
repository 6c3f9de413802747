// The server-side page fetcher: one thread serving the faults of a userfaultfd region from a
// PageSource, the way QEMU's post-copy fault thread and CRIU's lazy-pages daemon do.
//
// The loop polls the uffd and a stop eventfd, reads fault messages in batches, drops pages already in
// flight or resident (waking their waiters), asks the prefetcher (policy::Prefetcher::on_fault) what
// else to fetch, fetches the lot with one PageSource::fetch() (the faulting pages first, then the
// prefetched ones in ascending order) and places pages as they arrive: UFFDIO_COPY, or
// UFFDIO_ZEROPAGE for all-zero pages. A faulting page is placed (and its thread woken) the moment it
// arrives. Prefetched pages that arrive one after the other for consecutive addresses are gathered
// into a run (copied into a staging buffer) and placed with ONE ioctl over the run: a syscall costs
// about as much as copying a dozen pages here. A run is placed when the next page does not extend it,
// when it reaches FetcherOptions::max_run_pages, when the source reports a status change (it is about
// to wait for the network: no page waits with it) and when the fetch ends. A run that meets a page
// already mapped (EEXIST) is finished page by page. With dirty tracking (the region registered
// MISSING|WP) pages are placed write-protected (zero pages too, as a copy of a zero buffer with
// UFFDIO_COPY_MODE_WP, since ZEROPAGE has no WP mode); a later write raises a WP fault, which marks the
// page dirty and unprotects it. A missing fault that is itself a write (UFFD_PAGEFAULT_FLAG_WRITE) has
// its page placed writable and marked dirty at once, saving the second fault.
//
// A fault is never answered with data the fetcher is not sure of: while the source is unreachable the
// faulting threads stay blocked; on a permanent source error the fetcher stops with the error and
// leaves them blocked (the owner of the memory decides what to do with them).
//
// Re-adoption (a restarted server taking over a VM whose previous fetcher died): the VM's process keeps
// its own copy of the uffd, so the guest froze rather than read zero pages, and the new fetcher
// receives the same uffd (receive_handoff(), UffdRegion::adopt()). Some pages are then already
// placed, and some faulting threads may be blocked on fault messages the dead fetcher had read. So:
//   - FetcherOptions::on_dirty is called for every page the moment it becomes dirty and BEFORE it is
//     made writable (a write-protect fault's unprotect, a write fault's writable placement) or, for a
//     placement that met EEXIST, when that is seen: the caller persists it (a write-ahead record), so
//     the dirty set survives the fetcher.
//   - Fetcher::preload_dirty() feeds the recorded pages to the new fetcher before start(): they count
//     dirty (and resident) without being fetched.
//   - start() issues one UFFDIO_WAKE over every range, so threads blocked on already-read messages
//     fault again and their faults reach the new fetcher.
//   - A placement that meets EEXIST (a page the dead fetcher placed) counts as resident, not as an
//     error, and as dirty under dirty tracking (its content is not known for sure); a write-protect
//     fault on a page this fetcher never placed marks it resident too.
// Pages the dead fetcher placed write-protected and that were never written are not known to the new
// one; with dirty tracking that only costs a refetch that meets EEXIST. Without dirty tracking
// dirty_pages() (every resident page) cannot see them: re-adopt with dirty tracking.
#pragma once

#include <linux/userfaultfd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/time.hpp"
#include "emu/fetch/page_source.hpp"
#include "emu/fetch/uffd_region.hpp"
#include "emu/sys/unique_fd.hpp"
#include "policy/prefetcher.hpp"
#include "policy/sleep_scheduler.hpp"

namespace jettison::emu {

// A policy from the registries by name, or InputError listing the valid names.
std::unique_ptr<policy::Prefetcher> make_prefetcher(std::string_view name,
                                                    const policy::PrefetchParams& params,
                                                    const policy::VmShape& vm);
// Offline schedulers (`oracle`) need the future and are refused here.
std::unique_ptr<policy::SleepScheduler> make_sleep_scheduler(std::string_view name,
                                                             const policy::SleepParams& params,
                                                             const policy::SleepCosts& costs);

struct FetcherOptions {
  std::size_t read_batch = 64;  // fault messages read per read(2)
  // Prefetched pages placed with one UFFDIO_COPY / UFFDIO_ZEROPAGE at most (1: every page on its
  // own); the staging buffer holds this many pages. 256 pages of 4 KiB is what one PAGES frame
  // carries (1 MiB), so a run is rarely cut inside a frame.
  std::size_t max_run_pages = 256;
  std::size_t max_latency_samples = 1u << 20;  // further samples are counted, not kept
  // Status reports of the source (pauses, reconnects) and of the fetcher (stopped, failed), after
  // they are logged. Called from the fetcher's or the source's thread.
  std::function<void(std::string_view)> on_status;
  // Called on the fetcher's thread once per page that becomes dirty, before the page is made
  // writable (see Re-adoption above); the page is recorded dirty after it returns. An exception it
  // throws stops the fetcher (kFailed) with the page still write-protected or missing, its faulting
  // thread blocked.
  std::function<void(std::uint64_t page)> on_dirty;
  // Called on the fetcher's thread for what the memory's owner did, as the simulator's page traces
  // record it: a page's first touch (its missing fault; `write` when the fault was a write) and its
  // first write after a read (its write-protect fault), at the fetcher's clock (now()). Reads of
  // prefetched pages raise no fault and are not seen.
  std::function<void(std::uint64_t page, bool write, Time at)> on_access;
  // How fast the fetcher's clock (now(), and so the sleep scheduler's and on_access's times) runs
  // against steady time: a replay at --speed S plays S seconds of trace per second, and its sleep rule
  // must count that trace time, else at speed 10 a 30 s timeout outlasts every 3 s trace gap. 1: wall
  // time (a real guest). Must be > 0.
  double clock_speed = 1.0;
};

struct FetchStats {
  std::uint64_t faults = 0;            // missing-page fault messages read
  std::uint64_t duplicate_faults = 0;  // ... for a page already in flight or resident (not fetched again)
  std::uint64_t wp_faults = 0;         // write-protect fault messages read
  std::uint64_t requests = 0;          // PageSource::fetch() calls
  std::uint64_t demand_pages = 0;      // pages placed because a fault asked for them
  std::uint64_t prefetched_pages = 0;  // pages placed because the prefetcher asked for them
  std::uint64_t zero_pages = 0;        // of those, all-zero pages (no data crossed)
  std::uint64_t bytes = 0;             // page data received (zero pages count 0)
  std::uint64_t dirty_pages = 0;       // pages recorded dirty so far
  std::uint64_t already_mapped = 0;    // EEXIST placements (counted dirty under dirty tracking)
  std::uint64_t retries = 0;           // EAGAIN placements retried
  std::uint64_t placements = 0;        // copy / zero-page ioctls that placed pages (runs count once)
  std::uint64_t latency_samples = 0;   // demand pages timed (kept or not)
  std::uint64_t pages_fetched() const { return demand_pages + prefetched_pages; }
};

// The q-quantile (0..1, nearest rank) of `samples`; zero for none.
std::chrono::nanoseconds percentile(std::vector<std::chrono::nanoseconds> samples, double q);

class Fetcher {
 public:
  enum class State {
    kIdle,       // constructed, not started
    kRunning,    // serving faults
    kStopped,    // stop() was called
    kOwnerGone,  // the process owning the memory exited (seen through a pidfd) or the mapping went away
    kFailed,     // a permanent error: error() says which; faulting threads stay blocked
  };

  // `region` and `source` must outlive the fetcher; page sizes must match and the source must cover
  // the region. `sleep` may be null (no sleep decisions). The fetcher installs the source's status
  // callback.
  Fetcher(UffdRegion& region, PageSource& source, std::unique_ptr<policy::Prefetcher> prefetcher,
          std::unique_ptr<policy::SleepScheduler> sleep = nullptr, FetcherOptions options = {});
  ~Fetcher();  // stop()
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Before start(): pages known dirty from an earlier fetcher's record (FetcherOptions::on_dirty) of
  // this region. They are counted dirty and resident (a dirtied page is mapped) and never fetched;
  // on_dirty is not called for them again. Throws std::logic_error after start(), UffdError for a page
  // beyond the region.
  void preload_dirty(std::span<const std::uint64_t> pages);
  // Starts the loop: Time 0 of the fetcher's clock; the sleep scheduler's period starts, every range
  // is woken once (UFFDIO_WAKE: see Re-adoption above), and the prefetcher's on_migration pages are
  // fetched before the first fault is served.
  void start();
  // Stops the loop (cancelling a fetch blocked on an unreachable source) and joins it. Faults that
  // come later stay blocked until the region is torn down. Idempotent.
  void stop();
  // Waits until the loop has ended on its own (owner gone, failure) or was stopped.
  bool wait_stopped(std::chrono::milliseconds timeout) const;

  State state() const;
  std::string error() const;        // why it failed; empty otherwise
  std::string last_status() const;  // the source's last status report

  FetchStats stats() const;
  // Service latency of each demand page: from reading its first fault message to its placement.
  std::vector<std::chrono::nanoseconds> latency_samples() const;

  // Dirty set for reintegration: sorted pages written since their placement (WP faults, write
  // faults, EEXIST placements). Without dirty tracking it is every resident page (a safe superset).
  bool dirty_tracking() const { return region_.write_protect(); }
  std::vector<std::uint64_t> dirty_pages() const;
  // Pages demand-faulted so far (not prefetched ones: reads of those do not fault), sorted.
  std::vector<std::uint64_t> faulted_pages() const;
  bool resident(std::uint64_t page) const;
  // The current content of a resident page (page_size bytes into `out`); UffdError if not resident.
  void read_page(std::uint64_t page, std::span<std::byte> out) const;

  // The fetcher's clock: jettison Time, microseconds of steady time since start(), times
  // FetcherOptions::clock_speed.
  Time now() const;
  // The sleep scheduler's decision: when the desktop should start suspending if no further request
  // arrives (Time::never() without a scheduler or when it says stay up).
  Time sleep_at() const;
  // What the desktop control reports back, passed on to the sleep scheduler.
  void desktop_woke(Time t);
  void desktop_slept(Time t);
  // After stop(): the idle period is over. Tells the prefetcher the pages the VM touched as far as
  // the fetcher saw them (faulted and dirty pages) and the sleep scheduler the period's end (now()).
  void end_period();

 private:
  void run();
  void read_messages(std::vector<uffd_msg>& out);
  void serve_batch(const std::vector<uffd_msg>& msgs);
  void handle_wp_fault(std::uint64_t page);
  void place(std::uint64_t page, const std::byte* data);
  void place_demand(std::uint64_t page, const std::byte* data, std::uint8_t kind);
  void stage(std::uint64_t page, const std::byte* data);
  void flush_run();
  void fetch_pages(std::vector<std::uint64_t>& pages, std::chrono::steady_clock::time_point arrival);
  void drain_messages();
  template <class Op>
  PlaceOutcome with_retries(std::uint64_t page, Op op);
  void mark_dirty(std::uint64_t page);
  void finish(State state, std::string message);
  // Records a status line and hands it to options_.on_status; logs it too unless it came from the
  // source (which logs its own).
  void report(std::string_view status, bool log = true);
  // A steady-clock instant on the fetcher's clock (clock_speed applied).
  Time clock_at(std::chrono::steady_clock::time_point t) const;

  UffdRegion& region_;
  PageSource& source_;
  std::unique_ptr<policy::Prefetcher> prefetcher_;
  std::unique_ptr<policy::SleepScheduler> sleep_;
  FetcherOptions options_;
  std::uint64_t pages_;

  // Per page, written by the loop thread, read by any: 0 missing, 1 in flight, 2 resident.
  std::unique_ptr<std::atomic<std::uint8_t>[]> page_state_;
  std::unique_ptr<std::atomic<std::uint8_t>[]> dirty_;
  std::unique_ptr<std::atomic<std::uint8_t>[]> faulted_;

  // Loop-thread state of the request being fetched.
  std::vector<std::uint8_t> demand_write_;  // per page: 1 demand read, 2 demand write, 0 prefetch
  std::vector<std::chrono::steady_clock::time_point> fault_time_;  // per page in flight: first fault read
  std::vector<uffd_msg> backlog_;                                  // messages read while retrying
  std::vector<std::byte> zeros_;                                   // a zero page, for write-protected zeros

  // The run of prefetched pages waiting to be placed with one ioctl (loop thread only): pages
  // run_first_ .. run_first_ + run_count_ - 1, their bytes in staging_ for a copy run (zero pages as
  // zeros: under dirty tracking every prefetched page is a write-protected copy), none for a zero run
  // (UFFDIO_ZEROPAGE, without dirty tracking).
  std::vector<std::byte> staging_;
  std::uint64_t run_first_ = 0, run_count_ = 0, run_zero_pages_ = 0;
  bool run_is_zero_ = false;
  std::exception_ptr deferred_error_;  // a placement failure met inside a status report

  UniqueFd stop_fd_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::chrono::steady_clock::rep> epoch_{0};  // steady_clock ticks at start()

  mutable std::mutex mu_;  // guards everything below
  mutable std::condition_variable ended_;
  State state_ = State::kIdle;
  std::string error_;
  std::string last_status_;
  FetchStats stats_;
  std::vector<std::chrono::nanoseconds> latencies_;
};

}  // namespace jettison::emu
