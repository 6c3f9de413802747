// Run-ahead (sim/MODEL.md, "Event order and run-ahead") with `hybrid`: its bulk phase starts and
// ends with global events and a fault in it is served at once, so a desktop's page accesses may
// still run ahead; the outputs must be those of the run in queue order, byte for byte. Random
// scenarios as run_ahead_test.cpp draws them (shared star uplinks, small servers, every sleep rule
// and prefetcher, dense profiles), with the bulk phase after 0 s to 10 min at 10 Mbps to 2 Gbps.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "sim/run/run_scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/end_to_end/equal_outputs.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using jettison::testing::TempDir;
using namespace jettison::testing::equal_outputs;

constexpr RandomInputs kInputs = dense_run_ahead_inputs("hybrid-run-ahead-random", "[partial, hybrid]");

TEST(HybridRunAhead, RandomScenariosGiveTheSameOutputs) {
  std::uint64_t inline_events = 0;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Draw d(seed);
    TempDir dir;
    const std::string path = write_random_inputs(d, dir, kInputs);
    const std::string hybrid =
        "migration.hybrid={after: " + d.n(0, 600) + "s, rate: " + d.n(10, 2000) + "Mbps}";
    jettison::sim::Scenario s = jettison::sim::load_scenario(path, {hybrid});
    for (int ahead = 0; ahead < 2; ++ahead) {
      s.run_ahead = ahead == 1;
      jettison::sim::RunOptions o;
      o.out = dir.path() / (ahead ? "ahead" : "queued");
      o.threads = 1;
      const jettison::sim::RunReport r = jettison::sim::run_scenario(s, o);
      for (const jettison::sim::StrategyResult& result : r.results)
        if (ahead) inline_events += result.inline_events;
    }
    expect_same_files(dir.path() / "queued", dir.path() / "ahead", "wall_seconds|inline_events");
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(inline_events, 0U);
}

}  // namespace
