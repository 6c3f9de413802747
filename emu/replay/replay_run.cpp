#include "emu/replay/replay_run.hpp"

#include <linux/userfaultfd.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

namespace jettison::emu {
namespace {

// Unregisters the whole region: faults blocked in it are woken and, with nobody serving them any
// more, filled by the kernel, so a replay stuck on a failed fetcher can run out and be joined.
void release_blocked_faults(const UffdRegion& region) {
  uffdio_range range{region.info().base, region.info().length};
  (void)::ioctl(region.fd(), UFFDIO_UNREGISTER, &range);
}

}  // namespace

ReplayRun run_replay(const traces::PageProfile& profile, PageSource& source,
                     const ReplayRunOptions& options) {
  ReplayRun run;
  ScheduleOptions schedule_options = options.schedule;
  schedule_options.region_pages = source.pages();
  run.schedule = make_schedule(profile, schedule_options);

  const std::uint64_t page_size = source.page_size();
  UffdRegion region = UffdRegion::create(source.pages(), options.dirty_tracking);
  Fetcher fetcher(
      region, source,
      make_prefetcher(options.prefetch, options.prefetch_params, {source.pages(), Bytes::of(page_size)}));
  fetcher.start();

  // The replay runs on its own thread so a failing fetcher (whose faults stay blocked) cannot hang us.
  std::atomic<bool> abandon{false}, done{false};
  std::exception_ptr replay_error;
  std::thread player([&] {
    try {
      run.replay = replay(region.local_data(), page_size, run.schedule, [&] { return abandon.load(); });
    } catch (...) {
      replay_error = std::current_exception();
    }
    done = true;
  });
  while (!done) {
    if (fetcher.wait_stopped(std::chrono::milliseconds(20)) && !done) {
      abandon = true;
      release_blocked_faults(region);
      player.join();
      throw SourceFailed(fetcher.error().empty() ? "the fetcher stopped during the replay" : fetcher.error());
    }
  }
  player.join();
  if (replay_error) std::rethrow_exception(replay_error);
  fetcher.stop();
  fetcher.end_period();

  run.stats = fetcher.stats();
  run.latencies = fetcher.latency_samples();
  run.dirty = fetcher.dirty_pages();
  const std::vector<std::uint64_t> faulted = fetcher.faulted_pages();
  for (std::uint64_t p = 0; p < source.pages(); ++p)
    if (fetcher.resident(p) && !std::binary_search(faulted.begin(), faulted.end(), p))
      run.prefetched.push_back(p);
  if (options.verify_image)
    run.verify =
        verify_pages(region.local_data(), page_size, *options.verify_image, run.schedule, run.replay);

  EmulatedPeriod& p = run.period;
  p.desktop = options.desktop;
  p.idle = schedule_options.period;
  p.fetched_pages = run.stats.demand_pages;
  p.fetched = Bytes::of(run.stats.demand_pages * page_size);
  p.prefetched_pages = run.stats.prefetched_pages;
  for (std::uint64_t page : run.replay.touched)
    if (std::binary_search(run.prefetched.begin(), run.prefetched.end(), page)) ++p.prefetch_used;
  p.network = Bytes::of(options.wire_bytes ? options.wire_bytes() : run.stats.bytes);
  p.dirty_pages = run.dirty.size();
  p.wakeups = options.wakeups ? options.wakeups() : 0;
  p.energy = options.energy;
  p.state_time = options.state_time;
  return run;
}

}  // namespace jettison::emu
