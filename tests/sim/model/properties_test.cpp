// Properties of the model (sim/MODEL.md) that hold on any trace, checked on random scenarios drawn with
// fixed seeds (random_scenario.hpp): 20 scenarios of 3-5 desktops, every strategy, every record.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "tests/sim/model/model_support.hpp"
#include "tests/sim/model/random_scenario.hpp"

namespace jettison::testing::model {
namespace {

using sim::PowerState;

bool near_rel(double a, double b, double rel = 1e-9) {
  return std::fabs(a - b) <= rel * std::max({std::fabs(a), std::fabs(b), 1e-12});
}

// What must hold of every record of every strategy.
void check_record(const sim::Scenario& s, const std::string& strategy, const std::string& desktop,
                  const sim::PeriodRecord& r) {
  SCOPED_TRACE(strategy + " " + desktop + " period " + std::to_string(r.period));
  ASSERT_LT(r.desktop, s.desktops.size());
  EXPECT_EQ(s.desktops[r.desktop].id, desktop);
  const sim::DesktopSpec& spec = s.desktops[r.desktop];
  const sim::PageProfile& profile = s.profiles[spec.profile];
  const Duration migrate_after = s.migration.migrate_after;

  // Time.
  EXPECT_GT(r.idle.us(), 0);
  EXPECT_GE(r.window.us(), r.idle.us()) << "window >= idle";
  std::int64_t sum = 0;
  for (const Duration d : r.state_time) {
    EXPECT_GE(d.us(), 0);
    sum += d.us();
  }
  EXPECT_EQ(sum, r.window.us()) << "time in states sums to the window exactly";
  EXPECT_EQ(us_in(r, PowerState::kActive), 0) << "the user is never at the desktop inside a window";
  EXPECT_EQ(r.return_latency.has_value(), r.window > r.idle);
  if (r.return_latency) EXPECT_EQ(r.return_latency->us(), (r.window - r.idle).us());

  // Energy: the meter's sum, the baseline's definition, non-negative.
  EXPECT_GE(r.energy.joules(), 0.0);
  EXPECT_GE(r.baseline.joules(), 0.0);
  double metered = 0.0;
  for (std::size_t i = 0; i < sim::kPowerStateCount; ++i) metered += spec.power.watts[i].watts() * r.state_time[i].seconds_f();
  EXPECT_TRUE(near_rel(r.energy.joules(), metered)) << r.energy.joules() << " vs " << metered;
  const double baseline = spec.power[PowerState::kIdle].watts() * r.idle.seconds_f() +
                          spec.power[PowerState::kActive].watts() * (r.window - r.idle).seconds_f();
  EXPECT_TRUE(near_rel(r.baseline.joules(), baseline)) << r.baseline.joules() << " vs " << baseline;

  // Outcomes: the strategy acts exactly when L > migrate_after; what it did shows in the states.
  const std::string outcome(sim::name_of(r.outcome));
  if (strategy != "always-on") EXPECT_EQ(outcome == "stayed-on", r.idle <= migrate_after) << outcome;
  if (outcome == "stayed-on") {
    EXPECT_EQ(us_in(r, PowerState::kIdle), r.window.us());
    EXPECT_TRUE(near_rel(r.energy.joules(), r.baseline.joules()));
  } else {
    EXPECT_EQ(us_in(r, PowerState::kIdle), migrate_after.us()) << "idle until migrate_after";
  }
  if (outcome == "aborted") {
    EXPECT_EQ(r.window.us(), r.idle.us()) << "an aborted migration costs the user no wait";
    EXPECT_EQ(r.reintegrated.count(), 0u);
  }
  if (outcome == "migrated") {
    EXPECT_TRUE(r.migration_latency.has_value());
    EXPECT_GT(r.reintegrated.count(), 0u);
  } else {
    EXPECT_EQ(r.server_energy.joules(), 0.0);
  }

  // Per strategy.
  if (strategy != "partial") {
    EXPECT_EQ(r.wakeups, 0u) << "wake-ups only for partial";
    EXPECT_EQ(r.fetched_pages, 0u);
    EXPECT_EQ(r.fetched.count(), 0u);
    EXPECT_EQ(us_in(r, PowerState::kServing), 0);
    EXPECT_EQ(us_in(r, PowerState::kResumingSelective), 0);
  }
  if (strategy == "always-on") {
    EXPECT_EQ(outcome, "stayed-on");
    EXPECT_EQ(r.window.us(), r.idle.us());
    EXPECT_TRUE(near_rel(r.energy.joules(), r.baseline.joules())) << "always-on saves exactly 0";
    EXPECT_EQ(r.network().count(), 0u);
  }
  if (strategy == "sleep-only") {
    EXPECT_EQ(r.network().count(), 0u) << "sleep-only moves nothing";
    EXPECT_EQ(us_in(r, PowerState::kMigrating), 0);
    EXPECT_TRUE(outcome == "stayed-on" || outcome == "slept") << outcome;
  }
  if (strategy == "full") {
    EXPECT_LE(r.dirty_pages, profile.unique_pages());
    if (outcome == "migrated") {
      EXPECT_GE(r.migrated.count(), spec.vm_memory.count() + s.migration.partial.metadata.count());
      EXPECT_EQ(r.reintegrated.count(),
                r.dirty_pages * s.page_size.count() + s.migration.partial.metadata.count());
    }
  }
  if (strategy == "partial") {
    EXPECT_LE(r.fetched_pages, profile.unique_pages()) << "fetches at most the profile's pages";
    EXPECT_LE(r.dirty_pages, r.fetched_pages) << "a dirty page was fetched first";
    EXPECT_EQ(r.fetched.count(), r.fetched_pages * s.page_size.count());
    EXPECT_LE(r.wakeups, r.fetched_pages) << "every wake-up serves at least one fetch";
    if (outcome == "migrated") {
      EXPECT_EQ(r.migrated.count(), s.migration.partial.metadata.count());
      EXPECT_EQ(r.reintegrated.count(),
                r.dirty_pages * s.page_size.count() + s.migration.partial.metadata.count());
    } else {
      EXPECT_EQ(r.fetched_pages, 0u);
      EXPECT_EQ(us_in(r, PowerState::kServing), 0);
    }
    if (outcome == "aborted") EXPECT_LE(r.migrated.count(), s.migration.partial.metadata.count());
  }
}

class ModelProperties : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(ModelProperties, HoldForEveryStrategyAndRecord) {
  TempDir dir;
  RandomScenario gen(GetParam());
  const sim::Scenario s = sim::load_scenario(gen.write(dir));
  ASSERT_GE(s.desktops.size(), 3u);

  std::map<std::string, std::uint64_t> network;
  for (const std::string& strategy : s.strategies) {
    SCOPED_TRACE(strategy);
    const RunOutput out = run_strategy(s, strategy);
    ASSERT_FALSE(out.records.empty());

    // Every period of the trace is either simulated or skipped.
    EXPECT_EQ(static_cast<std::int64_t>(out.records.size() + out.result.totals.skipped_periods),
              gen.periods_written());
    if (strategy == "always-on") EXPECT_EQ(out.result.totals.skipped_periods, 0u);

    // Windows of one desktop never overlap: each opens after the previous closed.
    std::map<std::string, Time> closed;
    std::uint64_t bytes = 0;
    double energy = 0.0, baseline = 0.0;
    for (const auto& [desktop, r] : out.records) {
      check_record(s, strategy, desktop, r);
      if (const auto it = closed.find(desktop); it != closed.end()) EXPECT_GE(r.start, it->second);
      closed[desktop] = r.start + r.window;
      bytes += r.network().count();
      energy += r.energy.joules();
      baseline += r.baseline.joules();
    }
    network[strategy] = bytes;
    EXPECT_EQ(out.result.totals.all.periods, out.records.size());
    EXPECT_EQ(out.result.totals.all.network().count(), bytes);
    EXPECT_TRUE(near_rel(out.result.totals.all.energy.joules(), energy, 1e-9));
    EXPECT_TRUE(near_rel(out.result.totals.all.baseline.joules(), baseline, 1e-9));
    if (strategy == "always-on") EXPECT_NEAR(out.result.totals.all.savings_pct(), 0.0, 1e-7);
    if (strategy != "partial") EXPECT_EQ(out.result.totals.all.wakeups, 0u);
    EXPECT_EQ(out.result.server_refusals, 0u) << "the server has room for every VM here";

    // The same scenario again: the same records, the same event count.
    const RunOutput again = run_strategy(s, strategy);
    expect_same_run(out, again);
  }
  EXPECT_EQ(network["sleep-only"], 0u);
  EXPECT_EQ(network["always-on"], 0u);
  EXPECT_LE(network["partial"], network["full"]) << "partial never moves more bytes than full";
}

INSTANTIATE_TEST_SUITE_P(Seeds, ModelProperties, ::testing::Range<std::uint64_t>(1, 21));

}  // namespace
}  // namespace jettison::testing::model
