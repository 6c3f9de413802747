// Engine and simulator throughput.
//
//   BM_QueueHold/<queue>/<n>: the classic "hold" model: pop the earliest of n pending events and push
//     one a random time later. The engine's queue against std::priority_queue.
//   BM_Scenario/<strategy>: the default scenario, optionally scaled (JETTISON_BENCH_TRACE = an idle
//     trace, JETTISON_BENCH_DESKTOPS = how many of its desktops), one strategy on one thread, without
//     writing outputs. Counters: events/s (executed events, inline trace events included),
//     periods, and the events per period.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>

#include "common/version/version.hpp"
#include "sim/engine/event_queue.hpp"
#include "sim/run/strategy_run.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace {

using namespace jettison;
using namespace jettison::sim;

template <class Q>
void BM_QueueHold(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::mt19937_64 rng(1);
  Q q;
  std::uint64_t seq = 0;
  for (std::size_t i = 0; i < n; ++i)
    q.push(Event{Time::micros(static_cast<std::int64_t>(rng() % 1000000)), seq++, 0, 0, 0});
  for (auto _ : state) {
    const Event e = q.top();
    q.pop();
    q.push(Event{e.time + Duration::micros(static_cast<std::int64_t>(rng() % 1000000)), seq++, 0, 0, 0});
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(BM_QueueHold, QuaternaryHeap)->Arg(16)->Arg(1000)->Arg(100000);
BENCHMARK_TEMPLATE(BM_QueueHold, BinaryHeapQueue)->Arg(16)->Arg(1000)->Arg(100000);

const Scenario& bench_scenario() {
  static const Scenario s = [] {
    std::vector<std::string> sets;
    if (const char* trace = std::getenv("JETTISON_BENCH_TRACE"))
      sets.push_back(std::string("idle_trace=") + trace);
    if (const char* n = std::getenv("JETTISON_BENCH_DESKTOPS"))
      sets.push_back(std::string("desktops.count=") + n);
    return load_scenario(kDefaultScenario, sets);
  }();
  return s;
}

void BM_Scenario(benchmark::State& state, const std::string& strategy) {
  const Scenario& s = bench_scenario();
  std::uint64_t events = 0, inline_events = 0, periods = 0;
  for (auto _ : state) {
    StrategyRun run(s, strategy, nullptr);
    const StrategyResult r = run.run();
    events += r.events;
    inline_events += r.inline_events;
    periods += r.totals.all.periods;
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["inline_share"] =
      events ? static_cast<double>(inline_events) / static_cast<double>(events) : 0.0;
  state.counters["periods"] = static_cast<double>(periods / state.iterations());
  state.counters["events_per_period"] = static_cast<double>(events) / static_cast<double>(periods);
}
BENCHMARK_CAPTURE(BM_Scenario, always_on, std::string("always-on"))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Scenario, sleep_only, std::string("sleep-only"))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Scenario, full, std::string("full"))->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Scenario, partial, std::string("partial"))->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

// BENCHMARK_MAIN(), and --version (common/version/version.hpp) before Google Benchmark reads the flags.
int main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "--version") {
    std::puts(jettison::version_line("jettison-bench").c_str());
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
