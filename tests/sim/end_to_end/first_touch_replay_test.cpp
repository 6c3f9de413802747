// The first-touch replay (sim/model/first_touch_index.hpp) against the replay of every access: the
// same outputs byte for byte (summary.json apart from `events` and `wall_seconds`, periods.csv,
// every other file), on every bundled scenario and on random scenarios built to stress it: dense
// page profiles (few pages, many re-accesses, bursts at one time stamp, whole-second time stamps so
// page accesses tie with timers), repeating or not, every prefetcher, every sleep rule (oracle
// included), selective and full resume, both triggers, shared links and a small server.
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

// Runs `s` with the first-touch replay and with every access replayed; expects the same files.
// Returns the events of both runs.
std::pair<std::uint64_t, std::uint64_t> expect_same_outputs(jettison::sim::Scenario s, const fs::path& dir) {
  std::uint64_t events[2] = {0, 0};
  for (int every = 0; every < 2; ++every) {
    s.replay_every_access = every == 1;
    jettison::sim::RunOptions o;
    o.out = dir / (every ? "every" : "first");
    o.threads = 1;
    events[every] = jettison::sim::run_scenario(s, o).events;
  }
  expect_same_files(dir / "first", dir / "every", "events|wall_seconds");
  return {events[0], events[1]};
}

TEST(FirstTouchReplay, BundledScenariosGiveTheSameOutputs) {
  const std::vector<fs::path> files = bundled_scenarios();
  ASSERT_GE(files.size(), 10U);
  std::uint64_t first = 0, every = 0;
  for (const fs::path& f : files) {
    SCOPED_TRACE(f.string());
    TempDir dir;
    const auto [a, b] = expect_same_outputs(jettison::sim::load_scenario(f.string()), dir.path());
    first += a;
    every += b;
  }
  // Replaying fewer accesses runs fewer events.
  EXPECT_LT(first, every);
}

// Dense profiles: up to 3000 accesses over 1 min to 20 min or 2 h to 1..300 pages.
// Per desktop 2 to 12 periods of 5 s to 1 h or 20 h, gaps of 0 to 10 h, 2 to 12 desktops.
// One server with per-VM power, dedicated links or (60%) a star uplink without latency, every strategy.
constexpr RandomInputs kInputs{.profiles = {3000, 1200, 7200, 300},
                               .idle = {3600, 12, 3'600'000'000, 72'000'000'000, 36'000'000'000},
                               .min_desktops = 2,
                               .max_desktops = 12,
                               .scenario = {.name = "first-touch-random",
                                            .profile_length = true,
                                            .suspend_lo = 1,
                                            .suspend_hi = 4,
                                            .resume_full_lo = 2,
                                            .resume_full_hi = 6,
                                            .small_servers = false,
                                            .star_chance = 0.6,
                                            .uplink_latency = false,
                                            .max_migrate_after_s = 300,
                                            .reintegration_drawn = false,
                                            .max_timeout_s = 60,
                                            .strategies = "[always-on, sleep-only, full, partial]"}};

TEST(FirstTouchReplay, RandomScenariosGiveTheSameOutputs) {
  std::uint64_t first = 0, every = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Draw d(seed);
    TempDir dir;
    const std::string path = write_random_inputs(d, dir, kInputs);
    const auto [a, b] = expect_same_outputs(jettison::sim::load_scenario(path), dir.path() / "out");
    first += a;
    every += b;
  }
  EXPECT_LT(first, every);
}

}  // namespace
