#include "emu/replay/replay_run.hpp"

#include <algorithm>

#include "common/input_error.hpp"
#include "emu/replay/replay_vm.hpp"
#include "emu/server/host_session.hpp"

namespace jettison::emu {

ReplayRun run_replay(const traces::PageProfile& profile, PageSource& source,
                     const ReplayRunOptions& options) {
  ReplayRun run;
  ScheduleOptions schedule_options = options.schedule;
  schedule_options.region_pages = source.pages();
  run.schedule = make_schedule(profile, schedule_options);

  // Everything is checked before anything is mapped.
  const std::uint64_t page_size = source.page_size();
  if (options.sleep) {
    if (options.sleep->desktop == nullptr) throw InputError("--sleep", "needs a desktop to put to sleep");
    (void)make_sleep_scheduler(options.sleep->rule, options.sleep->params, options.sleep->costs);
  }
  (void)make_prefetcher(options.prefetch, options.prefetch_params, {source.pages(), Bytes::of(page_size)});

  // One hosted period whose "VM" is the trace replayed on a local region.
  HostSessionConfig config;
  config.desktop = options.desktop;
  config.prefetch = options.prefetch;
  config.prefetch_params = options.prefetch_params;
  if (options.sleep) {
    config.sleep_rule = options.sleep->rule;
    config.sleep_params = options.sleep->params;
    config.sleep_costs = options.sleep->costs;
    config.controller = options.sleep->controller;
  }
  // The fetcher's clock runs in trace time (speed x wall time), so the sleep rule's timeouts and
  // costs, the trace's times and the period's end all count trace seconds, as in the simulator.
  config.fetcher.clock_speed = schedule_options.speed;
  config.write_back = static_cast<bool>(options.write_back);
  config.periods = 1;
  ReplayVm* vm = nullptr;
  config.inspect = [&](const UffdRegion& region, const Fetcher& fetcher) {
    // The replay is over (the guest "paused"); its pages are resident.
    run.replay = vm->result();
    const std::vector<std::uint64_t> faulted = fetcher.faulted_pages();
    for (std::uint64_t p = 0; p < region.pages(); ++p)
      if (fetcher.resident(p) && !std::binary_search(faulted.begin(), faulted.end(), p))
        run.prefetched.push_back(p);
    if (options.verify_image)
      run.verify =
          verify_pages(region.local_data(), page_size, *options.verify_image, run.schedule, run.replay);
  };
  if (options.inspect) config.reintegrated = options.inspect;  // after the write-back, as documented
  SessionSource from;
  from.pages = &source;
  from.power = options.sleep ? options.sleep->desktop : nullptr;
  from.write_back = options.write_back;
  from.wakeups = options.wakeups;
  from.wire_bytes = options.wire_bytes;
  HostSession session(std::move(config), from, nullptr, [&](const IncomingVm& in) {
    auto made = std::make_unique<ReplayVm>(in.pages, options.dirty_tracking, run.schedule);
    vm = made.get();
    return made;
  });
  std::vector<HostedPeriod> periods = session.run();
  if (session.phase() == SessionPhase::kFailed || periods.empty())
    throw SourceFailed(session.error().empty() ? "the replay did not run" : session.error());
  HostedPeriod& hosted = periods.front();

  run.stats = hosted.stats;
  run.latencies = std::move(hosted.latencies);
  run.dirty = std::move(hosted.dirty);
  run.sleep_events = std::move(hosted.sleep_events);
  run.sleep = hosted.sleep;
  run.sleep_mismatch = hosted.sleep_mismatch;
  run.write_back = hosted.write_back;

  EmulatedPeriod& p = run.period;
  p = hosted.period;
  p.idle = schedule_options.period;  // trace time, not the wall time it took
  p.migrated.reset();                // nothing migrated: the region was empty from the start
  p.migration_latency.reset();
  p.return_latency.reset();
  for (std::uint64_t page : run.replay.touched)
    if (std::binary_search(run.prefetched.begin(), run.prefetched.end(), page)) ++p.prefetch_used;
  p.energy = options.energy;
  p.state_time = options.state_time;
  return run;
}

}  // namespace jettison::emu
