// Random scenarios for the property and determinism tests: a fixed-seed std::mt19937_64 draws the
// desktops, their idle periods (10 s to 20 h, one in ten a blip of under 5 s) with random gaps (a third
// of them a few seconds, so windows get shortened or skipped), page profiles (random times, pages and
// ops; repeating or not) and the scenario's knobs. Everything is written as text into a TempDir and
// loaded like any scenario.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::testing::model {

// Seconds with six decimals from integer microseconds (the trace format's resolution).
inline std::string seconds_text(std::int64_t us) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(us / 1'000'000),
                static_cast<long long>(us % 1'000'000));
  return buf;
}

// Appends the idle-trace row "desktop,start,end" (times from microseconds), piece by piece: g++ 12
// warns (-Wrestrict, a false positive) on chains of operator+.
inline void append_idle_row(std::string& out, const std::string& desktop, std::int64_t start_us,
                            std::int64_t end_us) {
  out += desktop;
  out += ',';
  out += seconds_text(start_us);
  out += ',';
  out += seconds_text(end_us);
  out += '\n';
}

class RandomScenario {
 public:
  explicit RandomScenario(std::uint64_t seed) : rng_(seed) {}

  // Writes the traces and the scenario into `dir`; returns the scenario's path.
  std::string write(const TempDir& dir) {
    const int desktops = uniform_int(3, 5);
    const int profiles = uniform_int(1, 3);
    for (int p = 0; p < profiles; ++p) dir.write("pages-" + std::to_string(p) + ".csv", profile_csv());
    dir.write("idle.csv", idle_csv(desktops));

    std::string y;
    y += "name: random\n";
    y += "seed: " + std::to_string(uniform_int(0, 1000)) + "\n";
    y += "page_size: 4KiB\n";
    y += "idle_trace: idle.csv\n";
    y += "page_traces:\n  profiles:\n";
    for (int p = 0; p < profiles; ++p) {
      y += "    - name: prof" + std::to_string(p) + "\n";
      y += "      file: pages-" + std::to_string(p) + ".csv\n";
      y += std::string("      when_shorter: ") + (coin(0.6) ? "repeat" : "stop") + "\n";
      if (coin(0.3)) y += "      length: " + std::to_string(uniform_int(11'000, 20'000)) + "s\n";
    }
    y += std::string("  assign: ") + (coin(0.5) ? "round-robin" : "random") + "\n";
    y += "desktop:\n";
    y += std::string("  vm_memory: ") + (coin(0.5) ? "1GiB" : "2GiB") + "\n";
    y += "  power: {active: " + watts(100, 130) + ", idle: " + watts(80, 110) +
         ", migrating: " + watts(90, 120) + ", suspending: " + watts(40, 90) + ", asleep: " + watts(1, 5) +
         ", resuming_full: " + watts(60, 110) + ", resuming_selective: " + watts(30, 70) +
         ", serving: " + watts(25, 70) + "}\n";
    y += "  transitions: {suspend: " + std::to_string(uniform_int(500, 5000)) +
         "ms, resume_full: " + std::to_string(uniform_int(1000, 6000)) +
         "ms, resume_selective: " + std::to_string(uniform_int(100, 1500)) +
         "ms, wake_on_lan: " + std::to_string(uniform_int(0, 50)) + "ms}\n";
    y += std::string("  link: {bandwidth: ") + (coin(0.5) ? "1Gbps" : "100Mbps") +
         ", latency: " + std::to_string(uniform_int(0, 5000)) + "us}\n";
    head_ = y;
    y.clear();
    y += "server: {memory: 256GiB, power: {model: per-vm, per_vm: 5W}, add_to_total: false}\n";
    y += "migration:\n";
    y += "  migrate_after: " + std::to_string(log_uniform(1, 1800)) + "s\n";
    // partial.setup >= full.setup + 1 s (as in the default scenario): the user returning early
    // never finds partial further along than full.
    y += "  partial: {metadata: " + std::to_string(uniform_int(8, 40)) +
         "MiB, setup: " + std::to_string(uniform_int(2500, 5000)) + "ms}\n";
    static constexpr const char* kBelow[] = {"4KiB", "1MiB", "64MiB"};
    y += "  full: {setup: " + std::to_string(uniform_int(200, 1500)) +
         "ms, max_rounds: " + std::to_string(uniform_int(1, 30)) +
         ", stop_copy_below: " + kBelow[uniform_int(0, 2)] + "}\n";
    y += "  reintegration_setup: " + std::to_string(uniform_int(100, 2000)) + "ms\n";
    y += "policy:\n  sleep: {rule: timeout, timeout: " + std::to_string(log_uniform(1, 300)) + "s}\n";
    y += "strategies: [always-on, sleep-only, full, partial]\n";
    tail_ = y;
    return dir.write("scenario.yaml", head_ + tail_);
  }

  // After write(): the same scenario with one desktop only (the others' rows are read, not simulated),
  // given the profile it had among all of them.
  std::string write_single(const TempDir& dir, const std::string& id, const std::string& profile) const {
    std::string desktops = "desktops:\n  list:\n    - {id: ";
    desktops += id;
    desktops += ", profile: ";
    desktops += profile;
    desktops += "}\n";
    return dir.write("scenario-" + id + ".yaml", head_ + desktops + tail_);
  }

  std::int64_t periods_written() const { return periods_; }

 private:
  int uniform_int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::int64_t uniform_us(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  bool coin(double p) { return std::bernoulli_distribution(p)(rng_); }
  // Whole seconds, log-uniform in [lo, hi].
  std::int64_t log_uniform(double lo, double hi) {
    const double x = std::exp(std::uniform_real_distribution<double>(std::log(lo), std::log(hi))(rng_));
    return std::max<std::int64_t>(static_cast<std::int64_t>(lo), std::llround(x));
  }
  // Microseconds, log-uniform in [lo_s, hi_s] seconds.
  std::int64_t log_uniform_us(double lo_s, double hi_s) {
    const double x = std::exp(std::uniform_real_distribution<double>(std::log(lo_s), std::log(hi_s))(rng_));
    return std::llround(x * 1e6);
  }
  std::string watts(int lo, int hi) { return std::to_string(uniform_int(lo, hi)) + "W"; }

  // Up to 300 accesses spread over 10 min to 3 h, to a pool of up to 2000 pages (well below half of
  // a 1 GiB VM's 262 144 pages), a random share of them writes. One profile in ten is empty.
  std::string profile_csv() {
    std::string out = "time,page,op\n";
    if (coin(0.1)) return out;
    const int n = uniform_int(1, 300);
    const std::int64_t span = uniform_us(600'000'000, 10'800'000'000);
    const int pool = uniform_int(1, 2000);
    const double writes = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    std::vector<std::int64_t> times(static_cast<std::size_t>(n));
    for (auto& t : times) t = uniform_us(0, span);
    // Some accesses share a time stamp (bursts), as real traces do.
    for (std::size_t i = 1; i < times.size(); ++i) {
      if (coin(0.1)) times[i] = times[i - 1];
    }
    std::sort(times.begin(), times.end());
    for (const std::int64_t t : times) {
      out += seconds_text(t);
      out += ',';
      out += std::to_string(uniform_int(0, pool - 1));
      out += coin(writes) ? ",w\n" : ",r\n";
    }
    return out;
  }

  // Per desktop, 2 to 10 periods of 10 s to 20 h (and some blips), separated by gaps that are a third of the
  // time a few seconds (often shorter than the desktop's way back) and otherwise 1 s to 10 h. Rows are
  // written sorted by start (streamed) or desktop by desktop (buffered), at random.
  std::string idle_csv(int desktops) {
    struct Row {
      std::string desktop;
      std::int64_t start;
      std::int64_t end;
    };
    std::vector<Row> rows;
    for (int d = 0; d < desktops; ++d) {
      std::string id = "d";
      id += std::to_string(d);
      std::int64_t t = uniform_us(0, 3'600'000'000);
      const int periods = uniform_int(2, 10);
      for (int i = 0; i < periods; ++i) {
        // One period in ten is a blip of 0.2 s to 5 s, shorter than a desktop's way back: a blip
        // right after a period is skipped or shortened.
        const std::int64_t length =
            coin(0.1) ? uniform_us(200'000, 5'000'000) : log_uniform_us(10.0, 72'000.0);
        rows.push_back({id, t, t + length});
        t += length + (coin(1.0 / 3.0) ? uniform_us(0, 8'000'000) : log_uniform_us(1.0, 36'000.0));
      }
    }
    if (coin(0.5)) {
      std::stable_sort(rows.begin(), rows.end(),
                       [](const Row& a, const Row& b) { return a.start < b.start; });
    }
    periods_ = static_cast<std::int64_t>(rows.size());
    std::string out = "desktop,start,end\n";
    for (const Row& r : rows) append_idle_row(out, r.desktop, r.start, r.end);
    return out;
  }

  std::mt19937_64 rng_;
  std::string head_;  // the scenario up to the desktops section
  std::string tail_;  // from the server section on
  std::int64_t periods_ = 0;
};

}  // namespace jettison::testing::model
