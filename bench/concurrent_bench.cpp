// The simulator's speed with many concurrent flows: N desktops (1,000 or 10,000) all going idle at
// the same moment for 24 h (scenarios/paper/concurrent-migrations.yaml scaled up, with a quiet VM that
// touches no page on the server, so the work is the network's), so N migrations share a star's
// server uplink and all complete; full and partial. The baseline in the same run is the same trace
// on `dedicated` links (no sharing: the solver only ever sees lone flows).
//   BM_Concurrent/<strategy>/<desktops>/<uplink Gbps, 0 = dedicated>
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include "sim/run/strategy_run.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace {

using namespace jettison::sim;

// Everyone idle from 12:00 to 12:00 the next day.
std::string day_trace(int desktops) {
  const auto path = std::filesystem::temp_directory_path() / fmt::format("jettison-day-{}.csv", desktops);
  if (!std::filesystem::exists(path)) {
    std::ofstream out(path);
    out << "desktop,start,end\n";
    for (int i = 0; i < desktops; ++i) out << fmt::format("d{:05},43200,129600\n", i);
  }
  return path.string();
}

// One read before the migration: nothing is fetched or dirtied on the server.
std::string quiet_profile() {
  const auto path = std::filesystem::temp_directory_path() / "jettison-quiet-pages.csv";
  if (!std::filesystem::exists(path)) std::ofstream(path) << "time,page,op\n5,1,r\n";
  return path.string();
}

const Scenario& scenario(int desktops, int uplink_gbps) {
  static std::map<std::pair<int, int>, Scenario> cache;
  auto it = cache.find({desktops, uplink_gbps});
  if (it != cache.end()) return it->second;
  std::vector<std::string> sets{"idle_trace=" + day_trace(desktops), fmt::format("desktops.count={}", desktops),
                                "server.memory=64TiB", "page_traces.profiles.0.file=" + quiet_profile(),
                                "page_traces.profiles.1.file=" + quiet_profile(),
                                "page_traces.profiles.0.when_shorter=stop", "page_traces.profiles.1.when_shorter=stop"};
  if (uplink_gbps == 0) {
    sets.push_back("network={topology: dedicated}");
  } else {
    sets.push_back(fmt::format("network.uplink.bandwidth={}Gbps", uplink_gbps));
  }
  return cache.emplace(std::pair{desktops, uplink_gbps},
                       load_scenario(JETTISON_SOURCE_DIR "/scenarios/paper/concurrent-migrations.yaml", sets))
      .first->second;
}

void BM_Concurrent(benchmark::State& state, const std::string& strategy) {
  const Scenario& s = scenario(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  std::optional<StrategyResult> result;
  std::uint64_t events = 0;
  for (auto _ : state) {
    StrategyRun run(s, strategy, nullptr);
    result.emplace(run.run());
    events += result->events;
  }
  const StrategyResult& last = *result;
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["flows"] = static_cast<double>(last.flows);
  state.counters["peak_flows"] = static_cast<double>(last.peak_concurrent_flows);
  state.counters["recomputations"] = static_cast<double>(last.rate_recomputations);
  auto lat = last.totals.migration_latency_us.values();
  std::sort(lat.begin(), lat.end());
  state.counters["p50_migration_s"] = lat.empty() ? 0.0 : static_cast<double>(lat[lat.size() / 2]) / 1e6;
  state.counters["migrations"] = static_cast<double>(last.totals.all.migrations);
}

void sizes(benchmark::internal::Benchmark* b) {
  for (int n : {1000, 10000})
    for (int gbps : {0, 1, 10}) b->Args({n, gbps});
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}
BENCHMARK_CAPTURE(BM_Concurrent, partial, std::string("partial"))->Apply(sizes);
BENCHMARK_CAPTURE(BM_Concurrent, full, std::string("full"))->Apply(sizes);

}  // namespace
