// Random scenarios for the oracle-in-the-simulator tests. Unlike tests/sim/model/random_scenario.hpp
// they keep to the conditions under which policy/SLEEP.md says the oracle is a lower bound
// (suspending power >= serving power; a full resume from awake no longer than from sleep, which the
// simulator's selective resume gives: resume_full - resume_selective <= resume_full), and they space a
// desktop's periods at least 60 s apart, more than any window's return (at most 5 s of suspend, 6 s
// of resume and about 6 s of reintegration here), so no window is shortened or skipped whatever the
// sleep rule: every rule sees the same periods.
//
// Page profiles are bursty, as idle VMs are (policy/PREFETCH.md): bursts of 1-25 accesses within
// well under a second, drawn from a few recurring page sequences (so `markov` learns chains and
// `spatial` finds neighbours), separated by gaps from 50 ms to 5 min (so requests land in suspends
// and wakes too).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tests/sim/model/random_scenario.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::testing::policy_sim {

class OracleScenario {
 public:
  explicit OracleScenario(std::uint64_t seed) : rng_(seed) {}

  // Writes the traces into `dir` and returns the scenario text up to (not including) `policy:`.
  std::string write_traces(const TempDir& dir) {
    const int desktops = uniform_int(2, 3);
    const int profiles = uniform_int(1, 2);
    for (int p = 0; p < profiles; ++p) dir.write("pages-" + std::to_string(p) + ".csv", profile_csv());
    dir.write("idle.csv", idle_csv(desktops));

    std::string y;
    y += "name: oracle-random\n";
    y += "seed: " + std::to_string(uniform_int(0, 1000)) + "\n";
    y += "page_size: 4KiB\n";
    y += "idle_trace: idle.csv\n";
    y += "page_traces:\n  profiles:\n";
    for (int p = 0; p < profiles; ++p) {
      y += "    - name: prof" + std::to_string(p) + "\n";
      y += "      file: pages-" + std::to_string(p) + ".csv\n";
      y += std::string("      when_shorter: ") + (coin(0.5) ? "repeat" : "stop") + "\n";
    }
    y += "  assign: round-robin\n";
    y += "desktop:\n";
    y += "  vm_memory: 1GiB\n";
    const int serving = uniform_int(20, 70);
    const int suspending = serving + uniform_int(0, 40);  // >= serving: the lower-bound condition
    y += "  power: {active: " + watts(100, 130) + ", idle: " + watts(80, 110) +
         ", migrating: " + watts(90, 120) + ", suspending: " + std::to_string(suspending) +
         "W, asleep: " + watts(1, 5) + ", resuming_full: " + watts(60, 110) +
         ", resuming_selective: " + watts(30, 70) + ", serving: " + std::to_string(serving) + "W}\n";
    y += "  transitions: {suspend: " + std::to_string(uniform_int(500, 5000)) +
         "ms, resume_full: " + std::to_string(uniform_int(1000, 6000)) +
         "ms, resume_selective: " + std::to_string(uniform_int(100, 1500)) +
         "ms, wake_on_lan: " + std::to_string(uniform_int(0, 50)) + "ms}\n";
    y += std::string("  link: {bandwidth: ") + (coin(0.5) ? "1Gbps" : "100Mbps") +
         ", latency: " + std::to_string(uniform_int(0, 5000)) + "us}\n";
    y += "server: {memory: 256GiB, power: {model: per-vm, per_vm: 5W}, add_to_total: false}\n";
    y += "migration:\n";
    y += "  migrate_after: " + std::to_string(uniform_int(5, 600)) + "s\n";
    y += "  partial: {metadata: " + std::to_string(uniform_int(8, 40)) +
         "MiB, setup: " + std::to_string(uniform_int(2500, 5000)) + "ms}\n";
    y += "  full: {setup: 1s, max_rounds: 30, stop_copy_below: 64MiB}\n";
    y += "  reintegration_setup: " + std::to_string(uniform_int(100, 2000)) + "ms\n";
    return y;
  }

 private:
  int uniform_int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::int64_t uniform_us(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  bool coin(double p) { return std::bernoulli_distribution(p)(rng_); }
  std::int64_t log_uniform_us(double lo_s, double hi_s) {
    const double x = std::exp(std::uniform_real_distribution<double>(std::log(lo_s), std::log(hi_s))(rng_));
    return std::llround(x * 1e6);
  }
  std::string watts(int lo, int hi) { return std::to_string(uniform_int(lo, hi)) + "W"; }

  std::string profile_csv() {
    // A few recurring sequences of pages: runs of neighbours from a pool of up to 3 000 pages.
    std::vector<std::vector<int>> sequences(static_cast<std::size_t>(uniform_int(3, 12)));
    for (auto& seq : sequences) {
      int page = uniform_int(0, 3000);
      const int n = uniform_int(1, 20);
      for (int i = 0; i < n; ++i) {
        seq.push_back(page);
        page = coin(0.7) ? page + 1 : uniform_int(0, 3000);
      }
    }
    std::string out = "time,page,op\n";
    const std::int64_t span = uniform_us(600'000'000, 7'200'000'000);
    const double writes = std::uniform_real_distribution<double>(0.0, 0.5)(rng_);
    std::int64_t t = uniform_us(0, 30'000'000);
    while (t < span) {
      const auto& seq =
          sequences[static_cast<std::size_t>(uniform_int(0, static_cast<int>(sequences.size()) - 1))];
      std::vector<int> burst(seq.begin(), seq.begin() + uniform_int(1, static_cast<int>(seq.size())));
      if (coin(0.3)) burst.push_back(uniform_int(0, 3000));  // a new page now and then
      for (const int page : burst) {
        out += model::seconds_text(t);
        out += ',';
        out += std::to_string(page);
        out += coin(writes) ? ",w\n" : ",r\n";
        if (!coin(0.2)) t += uniform_us(0, 40'000);  // some accesses share a time stamp
      }
      t += log_uniform_us(0.05, 300.0);
    }
    return out;
  }

  // Per desktop 3 to 7 periods of 30 s to 4 h, at least 60 s apart.
  std::string idle_csv(int desktops) {
    std::string out = "desktop,start,end\n";
    for (int d = 0; d < desktops; ++d) {
      std::int64_t t = uniform_us(0, 600'000'000);
      const int periods = uniform_int(3, 7);
      for (int i = 0; i < periods; ++i) {
        const std::int64_t length = log_uniform_us(30.0, 14'400.0);
        out += 'd';
        out += std::to_string(d);
        out += ',';
        out += model::seconds_text(t);
        out += ',';
        out += model::seconds_text(t + length);
        out += '\n';
        t += length + log_uniform_us(60.0, 14'400.0);
      }
    }
    return out;
  }

  std::mt19937_64 rng_;
};

}  // namespace jettison::testing::policy_sim
