#include "emu/replay/replay_run.hpp"

#include <linux/userfaultfd.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include "common/input_error.hpp"

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
  std::unique_ptr<policy::SleepScheduler> scheduler;
  if (options.sleep) {
    if (options.sleep->desktop == nullptr) throw InputError("--sleep", "needs a desktop to put to sleep");
    scheduler = make_sleep_scheduler(options.sleep->rule, options.sleep->params, options.sleep->costs);
  }
  auto prefetcher =
      make_prefetcher(options.prefetch, options.prefetch_params, {source.pages(), Bytes::of(page_size)});
  UffdRegion region = UffdRegion::create(source.pages(), options.dirty_tracking);
  Fetcher fetcher(region, source, std::move(prefetcher), std::move(scheduler));
  fetcher.start();
  FetcherClock clock(fetcher);
  std::unique_ptr<SleepController> controller;
  if (options.sleep) {
    controller = std::make_unique<SleepController>(clock, *options.sleep->desktop, options.sleep->controller);
    controller->start();
  }
  auto finish_sleep = [&] {
    if (!controller) return;
    controller->stop();
    run.sleep_events = controller->events();
    run.sleep = controller->summary();
    run.sleep_mismatch = controller->check_wakeups();
  };

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
      finish_sleep();  // the fetcher has stopped already
      release_blocked_faults(region);
      player.join();
      throw SourceFailed(fetcher.error().empty() ? "the fetcher stopped during the replay" : fetcher.error());
    }
  }
  player.join();
  // The replay is over: no more decisions (nothing is left for the desktop to serve but the
  // write-back, which wakes it if it sleeps). The fetcher stops before the controller is joined: a
  // decision waiting for a paused prefetch is released by the fetcher's cancel.
  if (controller) controller->request_stop();
  fetcher.stop();
  finish_sleep();
  if (replay_error) std::rethrow_exception(replay_error);
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
  if (options.write_back) {
    // Dirty pages are resident: their current content is read straight from the mapping.
    std::vector<DirtyPage> pages;
    pages.reserve(run.dirty.size());
    for (std::uint64_t page : run.dirty)
      pages.push_back(DirtyPage{page, std::span<const std::byte>(region.local_data() + page * page_size,
                                                                 static_cast<std::size_t>(page_size))});
    run.write_back = options.write_back(pages);
    run.period.reintegrated = run.write_back->bytes;
  }
  if (options.inspect) options.inspect(region, fetcher);

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
