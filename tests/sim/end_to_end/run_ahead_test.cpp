// Run-ahead (sim/MODEL.md, "Event order"): a desktop's page accesses run ahead of other desktops'
// local events up to the earliest global event. The outputs must be those of the run without it,
// byte for byte (summary.json apart from `wall_seconds`; `events` too, which counts the same model
// events either way), on every bundled scenario and on random scenarios built so that desktops
// interact: a shared star uplink (slow enough that flows overlap page requests), shared server draw
// (linear), several small servers (refusals, overcommits, both placements), every sleep rule
// (oracle included), every prefetcher, selective and full resume, dense repeating profiles with
// whole-second time stamps (page accesses tie with timers and with other desktops' events).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "sim/run/run_scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/support/csv_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using jettison::testing::slurp;
using jettison::testing::TempDir;

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
  const std::regex volatile_keys("\"(wall_seconds|inline_events)\": [0-9.e+-]+");
  std::size_t files = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(dir / "queued")) {
    const std::string name = e.path().filename().string();
    std::string a = slurp(e.path());
    std::string b = slurp(dir / "ahead" / name);
    if (name == "summary.json") {
      a = std::regex_replace(a, volatile_keys, "");
      b = std::regex_replace(b, volatile_keys, "");
    }
    EXPECT_TRUE(a == b) << name << " differs (" << dir.string() << ")";
    ++files;
  }
  EXPECT_GE(files, 2U);
  EXPECT_TRUE(fs::exists(dir / "queued" / "periods.csv"));
  EXPECT_TRUE(fs::exists(dir / "queued" / "summary.json"));
  return inline_events;
}

TEST(RunAhead, BundledScenariosGiveTheSameOutputs) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(JETTISON_SOURCE_DIR) / "scenarios"))
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 10U);
  for (const fs::path& f : files) {
    SCOPED_TRACE(f.string());
    TempDir dir;
    expect_same_outputs(jettison::sim::load_scenario(f.string()), dir.path());
  }
}

std::string seconds_text(std::int64_t us) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(us / 1'000'000),
                static_cast<long long>(us % 1'000'000));
  return buf;
}

class Draw {
 public:
  explicit Draw(std::uint64_t seed) : rng_(seed) {}
  std::int64_t in(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  bool coin(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <class T>
  const T& one_of(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(in(0, static_cast<std::int64_t>(v.size()) - 1))];
  }
  std::string n(std::int64_t lo, std::int64_t hi) { return std::to_string(in(lo, hi)); }

 private:
  std::mt19937_64 rng_;
};

// A dense profile: up to 2000 accesses over 1 min to 1 h to 1..400 pages; whole-second time stamps
// three times in four (ties with timers and other desktops), bursts at one time stamp.
std::string profile_csv(Draw& d) {
  std::string out = "time,page,op\n";
  if (d.coin(0.05)) return out;
  const auto n = static_cast<std::size_t>(d.in(1, 2000));
  const std::int64_t span = d.in(60, d.coin(0.5) ? 600 : 3600) * 1'000'000;
  const std::int64_t pages = d.in(1, 400);
  const std::int64_t grain = d.coin(0.75) ? 1'000'000 : 1;
  const double writes = static_cast<double>(d.in(0, 100)) / 100.0;
  std::vector<std::int64_t> times(n);
  for (auto& t : times) t = d.in(0, span) / grain * grain;
  for (std::size_t i = 1; i < n; ++i)
    if (d.coin(0.2)) times[i] = times[i - 1];
  std::sort(times.begin(), times.end());
  for (const std::int64_t t : times) {
    out += seconds_text(t);
    out += ',';
    out += std::to_string(d.in(0, pages - 1) * (d.coin(0.5) ? 1 : 7));
    out += d.coin(writes) ? ",w\n" : ",r\n";
  }
  return out;
}

// Per desktop 2 to 8 periods of 5 s to 5 h, gaps of 0 to 2 h (many desktops away at once); whole
// seconds three times in four.
std::string idle_csv(Draw& d, int desktops) {
  struct Row {
    int desktop;
    std::int64_t start, end;
  };
  std::vector<Row> rows;
  const std::int64_t grain = d.coin(0.75) ? 1'000'000 : 1;
  for (int k = 0; k < desktops; ++k) {
    std::int64_t t = d.in(0, 600) * 1'000'000;
    for (std::int64_t i = 0, periods = d.in(2, 8); i < periods; ++i) {
      const std::int64_t length =
          d.coin(0.5) ? d.in(5'000'000, 1'800'000'000) : d.in(5'000'000, 18'000'000'000);
      const std::int64_t start = t / grain * grain;
      rows.push_back({k, start, (start + length) / grain * grain + grain});
      t = rows.back().end + (d.coin(0.3) ? d.in(0, 5'000'000) : d.in(0, 7'200'000'000));
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.start < b.start; });
  std::string out = "desktop,start,end\n";
  for (const Row& r : rows) {
    out += 'd';
    out += std::to_string(r.desktop);
    out += ',';
    out += seconds_text(r.start);
    out += ',';
    out += seconds_text(r.end);
    out += '\n';
  }
  return out;
}

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
    for (int p = 0; p < profiles; ++p) dir.write("pages-" + std::to_string(p) + ".csv", profile_csv(d));
    dir.write("idle.csv", idle_csv(d, static_cast<int>(d.in(4, 16))));
    const std::string path = dir.write("scenario.yaml", scenario_yaml(d, profiles));
    inline_events += expect_same_outputs(jettison::sim::load_scenario(path), dir.path() / "out");
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(inline_events, 0U);
}

}  // namespace
