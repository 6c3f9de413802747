// What the equality tests of the simulator's shortcuts share (first_touch_replay_test: replaying
// only first touches; run_ahead_test: running a desktop's page accesses ahead): the bundled
// scenarios, a seeded draw of dense page profiles, idle traces built to make events tie and scenarios
// over them, and the comparison of two output folders file by file, byte for byte.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "tests/sim/model/random_scenario.hpp"
#include "tests/support/csv_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::testing::equal_outputs {

namespace fs = std::filesystem;

// Every scenarios/**/*.yaml, sorted.
inline std::vector<fs::path> bundled_scenarios() {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(JETTISON_SOURCE_DIR) / "scenarios"))
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Expects the folders `a` and `b` to hold the same files with the same bytes; in summary.json the
// keys matched by `volatile_keys` (e.g. "wall_seconds") are left out of the comparison.
inline void expect_same_files(const fs::path& a, const fs::path& b, const std::string& volatile_keys) {
  const std::regex volatile_values("\"(" + volatile_keys + ")\": [0-9.e+-]+");
  std::size_t files = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(a)) {
    const std::string name = e.path().filename().string();
    std::string x = slurp(e.path());
    std::string y = slurp(b / name);
    if (name == "summary.json") {
      x = std::regex_replace(x, volatile_values, "");
      y = std::regex_replace(y, volatile_values, "");
    }
    EXPECT_TRUE(x == y) << name << " differs (" << a.string() << " vs " << b.string() << ")";
    ++files;
  }
  EXPECT_GE(files, 2U);
  EXPECT_TRUE(fs::exists(a / "periods.csv"));
  EXPECT_TRUE(fs::exists(a / "summary.json"));
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

struct ProfileShape {
  std::int64_t max_accesses;  // 1 to this many accesses
  std::int64_t short_span_s;  // over 1 min to this or (half of the time) to long_span_s
  std::int64_t long_span_s;
  std::int64_t max_pages;  // to 1 to this many pages (times 7 half of the time: sparse frames)
};

// A dense profile: bursts at one time stamp, whole-second time stamps three times in four (ties with
// timers and other desktops), a random share of writes; empty one time in twenty.
inline std::string profile_csv(Draw& d, const ProfileShape& shape) {
  std::string out = "time,page,op\n";
  if (d.coin(0.05)) return out;
  const auto n = static_cast<std::size_t>(d.in(1, shape.max_accesses));
  const std::int64_t span = d.in(60, d.coin(0.5) ? shape.short_span_s : shape.long_span_s) * 1'000'000;
  const std::int64_t pages = d.in(1, shape.max_pages);
  const std::int64_t grain = d.coin(0.75) ? 1'000'000 : 1;
  const double writes = static_cast<double>(d.in(0, 100)) / 100.0;
  std::vector<std::int64_t> times(n);
  for (auto& t : times) t = d.in(0, span) / grain * grain;
  for (std::size_t i = 1; i < n; ++i)
    if (d.coin(0.2)) times[i] = times[i - 1];
  std::sort(times.begin(), times.end());
  for (const std::int64_t t : times) {
    out += model::seconds_text(t);
    out += ',';
    out += std::to_string(d.in(0, pages - 1) * (d.coin(0.5) ? 1 : 7));
    out += d.coin(writes) ? ",w\n" : ",r\n";
  }
  return out;
}

struct IdleShape {
  std::int64_t first_start_s;  // a desktop's first period starts within this
  std::int64_t max_periods;    // 2 to this many periods per desktop
  std::int64_t short_us;       // periods of 5 s to this, or (half of the time) to long_us
  std::int64_t long_us;
  std::int64_t max_gap_us;  // gaps of 0 to 5 s three times in ten, else of 0 to this
};

// Idle periods of `desktops` desktops d0, d1, ...; whole seconds three times in four.
inline std::string idle_csv(Draw& d, int desktops, const IdleShape& shape) {
  struct Row {
    int desktop;
    std::int64_t start, end;
  };
  std::vector<Row> rows;
  const std::int64_t grain = d.coin(0.75) ? 1'000'000 : 1;
  for (int k = 0; k < desktops; ++k) {
    std::int64_t t = d.in(0, shape.first_start_s) * 1'000'000;
    for (std::int64_t i = 0, periods = d.in(2, shape.max_periods); i < periods; ++i) {
      const std::int64_t length =
          d.coin(0.5) ? d.in(5'000'000, shape.short_us) : d.in(5'000'000, shape.long_us);
      const std::int64_t start = t / grain * grain;
      rows.push_back({k, start, (start + length) / grain * grain + grain});
      t = rows.back().end + (d.coin(0.3) ? d.in(0, 5'000'000) : d.in(0, shape.max_gap_us));
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.start < b.start; });
  std::string out = "desktop,start,end\n";
  for (const Row& r : rows) {
    std::string name = "d";
    name += std::to_string(r.desktop);
    model::append_idle_row(out, name, r.start, r.end);
  }
  return out;
}

// What differs between the random scenarios of the two equality tests; everything else (powers,
// links, migration sizes, every policy) is drawn the same way, in the same order.
struct ScenarioShape {
  const char* name;
  bool profile_length;                  // a profile sometimes gets a `length` past 2 h
  std::int64_t suspend_lo, suspend_hi;  // transitions.suspend, whole seconds
  std::int64_t resume_full_lo, resume_full_hi;
  bool small_servers;   // 1 to 3 small servers (refusals, overcommits), both placements,
                        // linear or per-VM power; else one server, per-VM power
  double star_chance;   // a shared star uplink, else dedicated links
  bool uplink_latency;  // the uplink's latency 0 or 1 ms, else 0
  std::int64_t max_migrate_after_s;
  bool reintegration_drawn;    // reintegration_setup 0 to 2 s, else 1 s
  std::int64_t max_timeout_s;  // policy.sleep.timeout
  const char* strategies;
};

// A scenario over idle.csv and pages-0.csv ... pages-<profiles - 1>.csv: every sleep rule (oracle
// included), every prefetcher, selective and full resume, both triggers.
inline std::string scenario_yaml(Draw& d, int profiles, const ScenarioShape& shape) {
  std::string y = std::string("name: ") + shape.name + "\nseed: " + d.n(0, 100) +
                  "\npage_size: 4KiB\nidle_trace: idle.csv\n";
  y += "page_traces:\n  profiles:\n";
  for (int p = 0; p < profiles; ++p) {
    y += "    - {name: p" + std::to_string(p) + ", file: pages-" + std::to_string(p) + ".csv, when_shorter: ";
    y += d.coin(0.7) ? "repeat" : "stop";
    if (shape.profile_length && d.coin(0.2)) y += ", length: " + d.n(7201, 9000) + "s";
    y += "}\n";
  }
  y += std::string("  assign: ") + (d.coin(0.5) ? "round-robin" : "random") + "\n";
  y += "desktop:\n  vm_memory: 1GiB\n";
  y +=
      "  power: {active: 120W, idle: 100W, migrating: 110W, suspending: 50W, asleep: 2W, resuming_full: 80W, "
      "resuming_selective: 40W, serving: 30W}\n";
  y += "  transitions: {suspend: " + d.n(shape.suspend_lo, shape.suspend_hi) +
       "s, resume_full: " + d.n(shape.resume_full_lo, shape.resume_full_hi) +
       "s, resume_selective: " + d.n(0, 2) + "s, wake_on_lan: " + (d.coin(0.5) ? "0ms" : "10ms") + "}\n";
  y += std::string("  link: {bandwidth: ") + (d.coin(0.5) ? "1Gbps" : "100Mbps") +
       ", latency: " + (d.coin(0.5) ? "0ms" : "1ms") + "}\n";
  if (shape.small_servers) {
    y += "server:\n  count: " + d.n(1, 3) +
         "\n  memory: " + d.one_of<std::string>({"256GiB", "60MiB", "150MiB"}) +
         "\n  placement: " + (d.coin(0.5) ? "first-fit" : "least-loaded") +
         "\n  when_full: " + (d.coin(0.5) ? "sleep-only" : "stay-on") + "\n";
    y += d.coin(0.7) ? "  power: {model: linear, idle: 110W, max: 250W, vm_load: 0.02}\n"
                     : "  power: {model: per-vm, per_vm: 5W}\n";
    y += std::string("  add_to_total: ") + (d.coin(0.5) ? "true" : "false") + "\n";
  } else {
    y += "server: {memory: " + d.one_of<std::string>({"256GiB", "256GiB", "100MiB"}) +
         ", power: {model: per-vm, per_vm: 5W}, add_to_total: " + (d.coin(0.5) ? "true" : "false") + "}\n";
  }
  if (d.coin(shape.star_chance)) {
    y += "network: {topology: star, uplink: {bandwidth: " +
         d.one_of<std::string>({"10Mbps", "100Mbps", "10Gbps"}) +
         ", latency: " + (shape.uplink_latency && !d.coin(0.5) ? "1ms" : "0ms") + "}}\n";
  }
  y += "migration:\n  migrate_after: " + d.n(1, shape.max_migrate_after_s) + "s\n";
  y += "  partial: {metadata: " + d.n(1, 40) + "MiB, setup: " + d.n(2, 5) + "s}\n";
  y += "  full: {setup: 1s, max_rounds: " + d.n(1, 30) +
       ", stop_copy_below: " + d.one_of<std::string>({"4KiB", "1MiB", "64MiB"}) + "}\n";
  y += "  reintegration_setup: " + (shape.reintegration_drawn ? d.n(0, 2) : std::string("1")) + "s\n";
  y += "policy:\n";
  y += "  sleep: {rule: " +
       d.one_of<std::string>({"timeout", "break-even", "adaptive", "learning-augmented", "oracle"}) +
       ", timeout: " + d.n(1, shape.max_timeout_s) + "s, trust: 0.5, history: " + d.n(1, 8) + "}\n";
  y += "  prefetch: {rule: " + d.one_of<std::string>({"none", "spatial", "history", "markov"}) +
       ", radius: " + d.n(1, 8) + ", budget: " + d.n(4, 400) + "KiB, depth: " + d.n(1, 16) + "}\n";
  y += std::string("  resume: {pages: ") + (d.coin(0.5) ? "selective" : "full") + "}\n";
  y += std::string("  trigger: {rule: ") + (d.coin(0.7) ? "idle-time" : "predicted") +
       ", otherwise: sleep-only, history: 10, min_samples: 2, confidence: 0.5}\n";
  y += std::string("strategies: ") + shape.strategies + "\n";
  return y;
}

// The random inputs of one equality test.
struct RandomInputs {
  ProfileShape profiles;
  IdleShape idle;
  std::int64_t min_desktops, max_desktops;
  ScenarioShape scenario;
};

// The dense draw of the run-ahead tests: profiles of up to 2000 accesses over 1 min to 10 min or 1 h
// to 1..400 pages; per desktop 2 to 8 periods of 5 s to 30 min or 5 h, gaps of 0 to 2 h (many
// desktops away at once), 4 to 16 desktops; small servers, a star uplink 80% of the time (latency 0
// or 1 ms). `name` names the scenario, `strategies` is its strategies list.
constexpr RandomInputs dense_run_ahead_inputs(const char* name, const char* strategies) {
  return {.profiles = {2000, 600, 3600, 400},
          .idle = {600, 8, 1'800'000'000, 18'000'000'000, 7'200'000'000},
          .min_desktops = 4,
          .max_desktops = 16,
          .scenario = {.name = name,
                       .profile_length = false,
                       .suspend_lo = 0,
                       .suspend_hi = 3,
                       .resume_full_lo = 1,
                       .resume_full_hi = 5,
                       .small_servers = true,
                       .star_chance = 0.8,
                       .uplink_latency = true,
                       .max_migrate_after_s = 120,
                       .reintegration_drawn = true,
                       .max_timeout_s = 30,
                       .strategies = strategies}};
}

// Writes 1 to 3 profiles, an idle trace and the scenario over them into `dir`; returns the
// scenario's path.
inline std::string write_random_inputs(Draw& d, const TempDir& dir, const RandomInputs& shape) {
  const int profiles = static_cast<int>(d.in(1, 3));
  for (int p = 0; p < profiles; ++p)
    dir.write("pages-" + std::to_string(p) + ".csv", profile_csv(d, shape.profiles));
  dir.write("idle.csv",
            idle_csv(d, static_cast<int>(d.in(shape.min_desktops, shape.max_desktops)), shape.idle));
  return dir.write("scenario.yaml", scenario_yaml(d, profiles, shape.scenario));
}

}  // namespace jettison::testing::equal_outputs
