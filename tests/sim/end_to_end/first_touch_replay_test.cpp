// The first-touch replay (sim/model/first_touch_index.hpp) against the replay of every access: the
// same outputs byte for byte (summary.json apart from `events` and `wall_seconds`, periods.csv,
// every other file), on every bundled scenario and on random scenarios built to stress it: dense
// page profiles (few pages, many re-accesses, bursts at one time stamp, whole-second time stamps so
// page accesses tie with timers), repeating or not, every prefetcher, every sleep rule (oracle
// included), selective and full resume, both triggers, shared links and a small server.
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
#include "tests/sim/model/random_scenario.hpp"
#include "tests/support/csv_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using jettison::testing::slurp;
using jettison::testing::TempDir;
using jettison::testing::model::seconds_text;

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
  const std::regex volatile_keys("\"(events|wall_seconds)\": [0-9.e+-]+");
  std::size_t files = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(dir / "first")) {
    const std::string name = e.path().filename().string();
    std::string a = slurp(e.path());
    std::string b = slurp(dir / "every" / name);
    if (name == "summary.json") {
      a = std::regex_replace(a, volatile_keys, "");
      b = std::regex_replace(b, volatile_keys, "");
    }
    EXPECT_TRUE(a == b) << name << " differs (" << dir.string() << ")";
    ++files;
  }
  EXPECT_GE(files, 2U);
  EXPECT_TRUE(fs::exists(dir / "first" / "periods.csv"));
  EXPECT_TRUE(fs::exists(dir / "first" / "summary.json"));
  return {events[0], events[1]};
}

TEST(FirstTouchReplay, BundledScenariosGiveTheSameOutputs) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(JETTISON_SOURCE_DIR) / "scenarios"))
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
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

// A dense profile: up to 3000 accesses over 1 min to 2 h to 1..300 pages; time stamps in whole
// seconds half of the time (ties with timers that count whole seconds), bursts at one time stamp.
std::string profile_csv(Draw& d) {
  std::string out = "time,page,op\n";
  if (d.coin(0.05)) return out;
  const auto n = static_cast<std::size_t>(d.in(1, 3000));
  const std::int64_t span = d.in(60, d.coin(0.5) ? 1200 : 7200) * 1'000'000;
  const std::int64_t pages = d.in(1, 300);
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

// Per desktop 2 to 12 periods of 5 s to 20 h, gaps of 0 to 10 h; whole seconds half of the time.
std::string idle_csv(Draw& d, int desktops) {
  struct Row {
    int desktop;
    std::int64_t start, end;
  };
  std::vector<Row> rows;
  const std::int64_t grain = d.coin(0.75) ? 1'000'000 : 1;
  for (int k = 0; k < desktops; ++k) {
    std::int64_t t = d.in(0, 3600) * 1'000'000;
    for (std::int64_t i = 0, periods = d.in(2, 12); i < periods; ++i) {
      const std::int64_t length =
          d.coin(0.5) ? d.in(5'000'000, 3'600'000'000) : d.in(5'000'000, 72'000'000'000);
      const std::int64_t start = t / grain * grain;
      rows.push_back({k, start, (start + length) / grain * grain + grain});
      t = rows.back().end + (d.coin(0.3) ? d.in(0, 5'000'000) : d.in(0, 36'000'000'000));
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.start < b.start; });
  std::string out = "desktop,start,end\n";
  for (const Row& r : rows) {
    std::string name = "d";
    name += std::to_string(r.desktop);
    jettison::testing::model::append_idle_row(out, name, r.start, r.end);
  }
  return out;
}

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
    for (int p = 0; p < profiles; ++p) dir.write("pages-" + std::to_string(p) + ".csv", profile_csv(d));
    dir.write("idle.csv", idle_csv(d, static_cast<int>(d.in(2, 12))));
    const std::string path = dir.write("scenario.yaml", scenario_yaml(d, profiles));
    const auto [a, b] = expect_same_outputs(jettison::sim::load_scenario(path), dir.path() / "out");
    first += a;
    every += b;
  }
  EXPECT_LT(first, every);
}

}  // namespace
