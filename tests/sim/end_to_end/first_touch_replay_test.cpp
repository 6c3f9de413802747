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
constexpr ProfileShape kProfiles{3000, 1200, 7200, 300};
// Per desktop 2 to 12 periods of 5 s to 1 h or 20 h, gaps of 0 to 10 h.
constexpr IdleShape kIdle{3600, 12, 3'600'000'000, 72'000'000'000, 36'000'000'000};

std::string scenario_yaml(Draw& d, int profiles) {
  std::string y =
      "name: first-touch-random\nseed: " + d.n(0, 100) + "\npage_size: 4KiB\nidle_trace: idle.csv\n";
  y += "page_traces:\n  profiles:\n";
  for (int p = 0; p < profiles; ++p) {
    y += "    - {name: p" + std::to_string(p) + ", file: pages-" + std::to_string(p) + ".csv, when_shorter: ";
    y += d.coin(0.7) ? "repeat" : "stop";
    if (d.coin(0.2)) y += ", length: " + d.n(7201, 9000) + "s";
    y += "}\n";
  }
  y += std::string("  assign: ") + (d.coin(0.5) ? "round-robin" : "random") + "\n";
  y += "desktop:\n  vm_memory: 1GiB\n";
  y +=
      "  power: {active: 120W, idle: 100W, migrating: 110W, suspending: 50W, asleep: 2W, resuming_full: 80W, "
      "resuming_selective: 40W, serving: 30W}\n";
  y += "  transitions: {suspend: " + d.n(1, 4) + "s, resume_full: " + d.n(2, 6) +
       "s, resume_selective: " + d.n(0, 2) + "s, wake_on_lan: " + (d.coin(0.5) ? "0ms" : "10ms") + "}\n";
  y += std::string("  link: {bandwidth: ") + (d.coin(0.5) ? "1Gbps" : "100Mbps") +
       ", latency: " + (d.coin(0.5) ? "0ms" : "1ms") + "}\n";
  y += "server: {memory: " + d.one_of<std::string>({"256GiB", "256GiB", "100MiB"}) +
       ", power: {model: per-vm, per_vm: 5W}, add_to_total: " + (d.coin(0.5) ? "true" : "false") + "}\n";
  if (d.coin(0.6)) {
    y += "network: {topology: star, uplink: {bandwidth: " +
         d.one_of<std::string>({"10Mbps", "100Mbps", "10Gbps"}) + ", latency: 0ms}}\n";
  }
  y += "migration:\n  migrate_after: " + d.n(1, 300) + "s\n";
  y += "  partial: {metadata: " + d.n(1, 40) + "MiB, setup: " + d.n(2, 5) + "s}\n";
  y += "  full: {setup: 1s, max_rounds: " + d.n(1, 30) +
       ", stop_copy_below: " + d.one_of<std::string>({"4KiB", "1MiB", "64MiB"}) + "}\n";
  y += "  reintegration_setup: 1s\n";
  y += "policy:\n";
  y += "  sleep: {rule: " +
       d.one_of<std::string>({"timeout", "break-even", "adaptive", "learning-augmented", "oracle"}) +
       ", timeout: " + d.n(1, 60) + "s, trust: 0.5, history: " + d.n(1, 8) + "}\n";
  y += "  prefetch: {rule: " + d.one_of<std::string>({"none", "spatial", "history", "markov"}) +
       ", radius: " + d.n(1, 8) + ", budget: " + d.n(4, 400) + "KiB, depth: " + d.n(1, 16) + "}\n";
  y += std::string("  resume: {pages: ") + (d.coin(0.5) ? "selective" : "full") + "}\n";
  y += std::string("  trigger: {rule: ") + (d.coin(0.7) ? "idle-time" : "predicted") +
       ", otherwise: sleep-only, history: 10, min_samples: 2, confidence: 0.5}\n";
  y += "strategies: [always-on, sleep-only, full, partial]\n";
  return y;
}

TEST(FirstTouchReplay, RandomScenariosGiveTheSameOutputs) {
  std::uint64_t first = 0, every = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Draw d(seed);
    TempDir dir;
    const int profiles = static_cast<int>(d.in(1, 3));
    for (int p = 0; p < profiles; ++p)
      dir.write("pages-" + std::to_string(p) + ".csv", profile_csv(d, kProfiles));
    dir.write("idle.csv", idle_csv(d, static_cast<int>(d.in(2, 12)), kIdle));
    const std::string path = dir.write("scenario.yaml", scenario_yaml(d, profiles));
    const auto [a, b] = expect_same_outputs(jettison::sim::load_scenario(path), dir.path() / "out");
    first += a;
    every += b;
  }
  EXPECT_LT(first, every);
}

}  // namespace
