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

// Dense profiles: up to 2000 accesses over 1 min to 10 min or 1 h to 1..400 pages.
constexpr ProfileShape kProfiles{2000, 600, 3600, 400};
// Per desktop 2 to 8 periods of 5 s to 30 min or 5 h, gaps of 0 to 2 h (many desktops away at once).
constexpr IdleShape kIdle{600, 8, 1'800'000'000, 18'000'000'000, 7'200'000'000};

std::string scenario_yaml(Draw& d, int profiles) {
  std::string y =
      "name: run-ahead-random\nseed: " + d.n(0, 100) + "\npage_size: 4KiB\nidle_trace: idle.csv\n";
  y += "page_traces:\n  profiles:\n";
  for (int p = 0; p < profiles; ++p) {
    y += "    - {name: p" + std::to_string(p) + ", file: pages-" + std::to_string(p) + ".csv, when_shorter: ";
    y += d.coin(0.7) ? "repeat" : "stop";
    y += "}\n";
  }
  y += std::string("  assign: ") + (d.coin(0.5) ? "round-robin" : "random") + "\n";
  y += "desktop:\n  vm_memory: 1GiB\n";
  y +=
      "  power: {active: 120W, idle: 100W, migrating: 110W, suspending: 50W, asleep: 2W, resuming_full: 80W, "
      "resuming_selective: 40W, serving: 30W}\n";
  y += "  transitions: {suspend: " + d.n(0, 3) + "s, resume_full: " + d.n(1, 5) +
       "s, resume_selective: " + d.n(0, 2) + "s, wake_on_lan: " + (d.coin(0.5) ? "0ms" : "10ms") + "}\n";
  y += std::string("  link: {bandwidth: ") + (d.coin(0.5) ? "1Gbps" : "100Mbps") +
       ", latency: " + (d.coin(0.5) ? "0ms" : "1ms") + "}\n";
  // Small servers: admissions refused, footprints grown past the capacity.
  y += "server:\n  count: " + d.n(1, 3) +
       "\n  memory: " + d.one_of<std::string>({"256GiB", "60MiB", "150MiB"}) +
       "\n  placement: " + (d.coin(0.5) ? "first-fit" : "least-loaded") +
       "\n  when_full: " + (d.coin(0.5) ? "sleep-only" : "stay-on") + "\n";
  y += d.coin(0.7) ? "  power: {model: linear, idle: 110W, max: 250W, vm_load: 0.02}\n"
                   : "  power: {model: per-vm, per_vm: 5W}\n";
  y += std::string("  add_to_total: ") + (d.coin(0.5) ? "true" : "false") + "\n";
  if (d.coin(0.8)) {
    y += "network: {topology: star, uplink: {bandwidth: " +
         d.one_of<std::string>({"10Mbps", "100Mbps", "10Gbps"}) +
         ", latency: " + (d.coin(0.5) ? "0ms" : "1ms") + "}}\n";
  }
  y += "migration:\n  migrate_after: " + d.n(1, 120) + "s\n";
  y += "  partial: {metadata: " + d.n(1, 40) + "MiB, setup: " + d.n(2, 5) + "s}\n";
  y += "  full: {setup: 1s, max_rounds: " + d.n(1, 30) +
       ", stop_copy_below: " + d.one_of<std::string>({"4KiB", "1MiB", "64MiB"}) + "}\n";
  y += "  reintegration_setup: " + d.n(0, 2) + "s\n";
  y += "policy:\n";
  y += "  sleep: {rule: " +
       d.one_of<std::string>({"timeout", "break-even", "adaptive", "learning-augmented", "oracle"}) +
       ", timeout: " + d.n(1, 30) + "s, trust: 0.5, history: " + d.n(1, 8) + "}\n";
  y += "  prefetch: {rule: " + d.one_of<std::string>({"none", "spatial", "history", "markov"}) +
       ", radius: " + d.n(1, 8) + ", budget: " + d.n(4, 400) + "KiB, depth: " + d.n(1, 16) + "}\n";
  y += std::string("  resume: {pages: ") + (d.coin(0.5) ? "selective" : "full") + "}\n";
  y += std::string("  trigger: {rule: ") + (d.coin(0.7) ? "idle-time" : "predicted") +
       ", otherwise: sleep-only, history: 10, min_samples: 2, confidence: 0.5}\n";
  y += "strategies: [partial]\n";
  return y;
}

TEST(RunAhead, RandomScenariosGiveTheSameOutputs) {
  std::uint64_t inline_events = 0;
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Draw d(seed);
    TempDir dir;
    const int profiles = static_cast<int>(d.in(1, 3));
    for (int p = 0; p < profiles; ++p)
      dir.write("pages-" + std::to_string(p) + ".csv", profile_csv(d, kProfiles));
    dir.write("idle.csv", idle_csv(d, static_cast<int>(d.in(4, 16)), kIdle));
    const std::string path = dir.write("scenario.yaml", scenario_yaml(d, profiles));
    inline_events += expect_same_outputs(jettison::sim::load_scenario(path), dir.path() / "out");
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(inline_events, 0U);
}

}  // namespace
