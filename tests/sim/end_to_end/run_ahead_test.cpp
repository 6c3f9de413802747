// Run-ahead (sim/MODEL.md, "Event order"): a desktop's page accesses run ahead of other desktops'
// local events up to the earliest global event. The outputs must be those of the run without it,
// byte for byte (summary.json apart from `wall_seconds`; `events` too, which counts the same model
// events either way), on every bundled scenario and on random scenarios built so that desktops
// interact: a shared star uplink (slow enough that flows overlap page requests), shared server draw
// (linear), several small servers (refusals, overcommits, both placements), every sleep rule
// (oracle included), every prefetcher, selective and full resume, dense repeating profiles with
// whole-second time stamps (page accesses tie with timers and with other desktops' events).
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/run/run_scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/end_to_end/equal_outputs.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using jettison::testing::TempDir;
using namespace jettison::testing::equal_outputs;

// Runs `s` with and without run-ahead; expects the same files. Returns the inline page accesses of
// the run with it (run-ahead must actually happen).
std::uint64_t expect_same_outputs(jettison::sim::Scenario s, const fs::path& dir) {
  std::uint64_t inline_events = 0;
  for (int ahead = 0; ahead < 2; ++ahead) {
    s.run_ahead = ahead == 1;
    jettison::sim::RunOptions o;
    o.out = dir / (ahead ? "ahead" : "queued");
    o.threads = 1;
    const jettison::sim::RunReport r = jettison::sim::run_scenario(s, o);
    for (const jettison::sim::StrategyResult& result : r.results)
      if (ahead) inline_events += result.inline_events;
  }
  expect_same_files(dir / "queued", dir / "ahead", "wall_seconds|inline_events");
  return inline_events;
}

TEST(RunAhead, BundledScenariosGiveTheSameOutputs) {
  const std::vector<fs::path> files = bundled_scenarios();
  ASSERT_GE(files.size(), 10U);
  for (const fs::path& f : files) {
    SCOPED_TRACE(f.string());
    TempDir dir;
    expect_same_outputs(jettison::sim::load_scenario(f.string()), dir.path());
  }
}

// The dense draw (equal_outputs.hpp), partial only.
constexpr RandomInputs kInputs = dense_run_ahead_inputs("run-ahead-random", "[partial]");

TEST(RunAhead, RandomScenariosGiveTheSameOutputs) {
  std::uint64_t inline_events = 0;
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Draw d(seed);
    TempDir dir;
    const std::string path = write_random_inputs(d, dir, kInputs);
    inline_events += expect_same_outputs(jettison::sim::load_scenario(path), dir.path() / "out");
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(inline_events, 0U);
}

}  // namespace
