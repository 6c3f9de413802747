// What the equality tests of the simulator's shortcuts share (first_touch_replay_test: replaying
// only first touches; run_ahead_test: running a desktop's page accesses ahead): the bundled
// scenarios, a seeded draw of dense page profiles and idle traces built to make events tie, and the
// comparison of two output folders file by file, byte for byte.
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

}  // namespace jettison::testing::equal_outputs
