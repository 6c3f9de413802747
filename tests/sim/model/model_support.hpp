// Shared by the model tests: a small scenario written to a temporary folder, and a strategy run that
// keeps every closed window's record.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/metrics/period_record.hpp"
#include "sim/run/strategy_run.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::testing::model {

// The knobs the hand-derived cases vary. Everything else is fixed at round numbers:
//   powers: active 120 W, idle 100 W, migrating 110 W, suspending 50 W, asleep 2 W,
//           resuming_full 80 W, resuming_selective 40 W, serving 30 W
//   transitions: suspend 2 s, resume_full 4 s, resume_selective 1 s, wake_on_lan (knob, 10 ms)
//   link 1 Gbps, latency (knob, 1 ms); page_size 4 KiB; vm_memory 1 GiB
//   partial: metadata 8 MiB, setup 3 s; full: setup 1 s; reintegration_setup 1 s
//   server: power_per_vm 5 W
struct Knobs {
  std::string migrate_after = "60s";
  std::string timeout = "20s";
  std::string latency = "1ms";
  std::string wake_on_lan = "10ms";
  std::string stop_copy_below = "64MiB";
  int max_rounds = 30;
  std::string server_memory = "256GiB";
  bool add_to_total = false;
  std::string when_shorter = "stop";
  std::string anchor;  // the profile's `anchor` (empty: not written, idle-start)
  // Network and servers (empty: the dedicated per-desktop links, one server with power per VM).
  std::string network;       // the value of `network:` in flow style, e.g. "{topology: star, ...}"
  std::string server_extra;  // more keys of `server:`, e.g. ", count: 2, placement: least-loaded"
  std::string server_power = "{model: per-vm, per_vm: 5W}";
  std::string dirty_rate;  // migration.full.dirty_rate (empty: from the trace)
};

inline std::string hand_scenario_yaml(const Knobs& k) {
  std::string y;
  y += "name: hand-derived\n";
  y += "seed: 1\n";
  y += "page_size: 4KiB\n";
  y += "idle_trace: idle.csv\n";
  y += "page_traces:\n";
  y += "  profiles:\n";
  y += "    - name: p\n";
  y += "      file: pages.csv\n";
  y += "      when_shorter: " + k.when_shorter + "\n";
  if (!k.anchor.empty()) y += "      anchor: " + k.anchor + "\n";
  y += "desktop:\n";
  y += "  vm_memory: 1GiB\n";
  y += "  power: {active: 120W, idle: 100W, migrating: 110W, suspending: 50W, asleep: 2W,\n";
  y += "          resuming_full: 80W, resuming_selective: 40W, serving: 30W}\n";
  y += "  transitions: {suspend: 2s, resume_full: 4s, resume_selective: 1s, wake_on_lan: " + k.wake_on_lan +
       "}\n";
  y += "  link: {bandwidth: 1Gbps, latency: " + k.latency + "}\n";
  y += "server: {memory: " + k.server_memory + ", power: " + k.server_power +
       ", add_to_total: " + std::string(k.add_to_total ? "true" : "false") + k.server_extra + "}\n";
  if (!k.network.empty()) y += "network: " + k.network + "\n";
  y += "migration:\n";
  y += "  migrate_after: " + k.migrate_after + "\n";
  y += "  partial: {metadata: 8MiB, setup: 3s}\n";
  y += "  full: {setup: 1s, max_rounds: " + std::to_string(k.max_rounds) +
       ", stop_copy_below: " + k.stop_copy_below +
       (k.dirty_rate.empty() ? std::string() : ", dirty_rate: " + k.dirty_rate) + "}\n";
  y += "  reintegration_setup: 1s\n";
  y += "policy:\n";
  y += "  sleep: {rule: timeout, timeout: " + k.timeout + "}\n";
  y += "strategies: [always-on, sleep-only, full, partial]\n";
  return y;
}

// Writes the scenario with its two traces into `dir` and loads it.
inline sim::Scenario load_hand_scenario(const TempDir& dir, const std::string& idle_csv,
                                        const std::string& pages_csv, const Knobs& k = {}) {
  dir.write("idle.csv", idle_csv);
  dir.write("pages.csv", pages_csv);
  return sim::load_scenario(dir.write("scenario.yaml", hand_scenario_yaml(k)));
}

struct RunOutput {
  std::vector<std::pair<std::string, sim::PeriodRecord>> records;
  sim::StrategyResult result;
};

inline RunOutput run_strategy(const sim::Scenario& s, const std::string& strategy) {
  std::vector<std::pair<std::string, sim::PeriodRecord>> records;
  sim::StrategyRun run(s, strategy, nullptr);
  run.on_record(
      [&](const std::string& desktop, const sim::PeriodRecord& r) { records.emplace_back(desktop, r); });
  sim::StrategyResult result = run.run();
  return {std::move(records), std::move(result)};
}

inline std::int64_t us_in(const sim::PeriodRecord& r, sim::PowerState s) {
  return r.state_time[sim::index_of(s)].us();
}

// Energies are matched within 0.1 % (the state times, checked exactly, carry the precision).
inline void expect_energy(Energy actual, double expected_joules, const char* what) {
  EXPECT_NEAR(actual.joules(), expected_joules, expected_joules * 1e-3) << what;
}

// Every state's time, in microseconds, in the order of sim::PowerState.
struct StateTimes {
  std::int64_t active = 0, idle = 0, migrating = 0, suspending = 0, asleep = 0, resuming_full = 0,
               resuming_selective = 0, serving = 0;
};

inline void expect_state_times(const sim::PeriodRecord& r, const StateTimes& t) {
  using sim::PowerState;
  EXPECT_EQ(us_in(r, PowerState::kActive), t.active) << "active";
  EXPECT_EQ(us_in(r, PowerState::kIdle), t.idle) << "idle";
  EXPECT_EQ(us_in(r, PowerState::kMigrating), t.migrating) << "migrating";
  EXPECT_EQ(us_in(r, PowerState::kSuspending), t.suspending) << "suspending";
  EXPECT_EQ(us_in(r, PowerState::kAsleep), t.asleep) << "asleep";
  EXPECT_EQ(us_in(r, PowerState::kResumingFull), t.resuming_full) << "resuming_full";
  EXPECT_EQ(us_in(r, PowerState::kResumingSelective), t.resuming_selective) << "resuming_selective";
  EXPECT_EQ(us_in(r, PowerState::kServing), t.serving) << "serving";
}

// The same, reporting the caller's line on a failure.
#define EXPECT_STATE_TIMES(record, ...)                                  \
  do {                                                                   \
    SCOPED_TRACE("state times");                                         \
    ::jettison::testing::model::expect_state_times(record, __VA_ARGS__); \
  } while (0)

// Field-by-field equality of two records; energies bit for bit.
inline void expect_same_record(const sim::PeriodRecord& a, const sim::PeriodRecord& b) {
  EXPECT_EQ(a.desktop, b.desktop);
  EXPECT_EQ(a.period, b.period);
  EXPECT_EQ(a.start.us(), b.start.us());
  EXPECT_EQ(a.idle.us(), b.idle.us());
  EXPECT_EQ(a.window.us(), b.window.us());
  for (std::size_t i = 0; i < sim::kPowerStateCount; ++i) {
    EXPECT_EQ(a.state_time[i].us(), b.state_time[i].us()) << i;
  }
  EXPECT_EQ(a.energy.joules(), b.energy.joules());
  EXPECT_EQ(a.baseline.joules(), b.baseline.joules());
  EXPECT_EQ(a.server_energy.joules(), b.server_energy.joules());
  EXPECT_EQ(a.migrated.count(), b.migrated.count());
  EXPECT_EQ(a.fetched.count(), b.fetched.count());
  EXPECT_EQ(a.reintegrated.count(), b.reintegrated.count());
  EXPECT_EQ(a.fetched_pages, b.fetched_pages);
  EXPECT_EQ(a.dirty_pages, b.dirty_pages);
  EXPECT_EQ(a.wakeups, b.wakeups);
  EXPECT_EQ(a.migration_latency.has_value(), b.migration_latency.has_value());
  if (a.migration_latency && b.migration_latency) {
    EXPECT_EQ(a.migration_latency->us(), b.migration_latency->us());
  }
  EXPECT_EQ(a.return_latency.has_value(), b.return_latency.has_value());
  if (a.return_latency && b.return_latency) {
    EXPECT_EQ(a.return_latency->us(), b.return_latency->us());
  }
  EXPECT_EQ(sim::name_of(a.outcome), sim::name_of(b.outcome));
}

inline void expect_same_run(const RunOutput& a, const RunOutput& b) {
  ASSERT_EQ(a.records.size(), b.records.size());
  for (std::size_t i = 0; i < a.records.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i));
    EXPECT_EQ(a.records[i].first, b.records[i].first);
    expect_same_record(a.records[i].second, b.records[i].second);
  }
  EXPECT_EQ(a.result.events, b.result.events);
  EXPECT_EQ(a.result.server_peak.count(), b.result.server_peak.count());
  EXPECT_EQ(a.result.server_refusals, b.result.server_refusals);
  EXPECT_EQ(a.result.totals.skipped_periods, b.result.totals.skipped_periods);
  EXPECT_EQ(a.result.totals.all.periods, b.result.totals.all.periods);
  EXPECT_EQ(a.result.totals.all.energy.joules(), b.result.totals.all.energy.joules());
  EXPECT_EQ(a.result.totals.all.network().count(), b.result.totals.all.network().count());
}

}  // namespace jettison::testing::model
