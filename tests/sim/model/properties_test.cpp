// Properties of the model (sim/MODEL.md) that hold on any trace, checked on random scenarios drawn with
// fixed seeds (random_scenario.hpp): 20 scenarios of 3-5 desktops, every strategy, every record.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "tests/sim/model/model_support.hpp"
#include "tests/sim/model/random_scenario.hpp"
#include "tests/sim/model/record_checks.hpp"

namespace jettison::testing::model {
namespace {

using sim::PowerState;

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
    if (strategy == "always-on") {
      EXPECT_EQ(out.result.totals.skipped_periods, 0u);
    }

    // Windows of one desktop never overlap: each opens after the previous closed.
    std::map<std::string, Time> closed;
    std::uint64_t bytes = 0;
    double energy = 0.0, baseline = 0.0;
    for (const auto& [desktop, r] : out.records) {
      check_record(s, strategy, desktop, r);
      if (const auto it = closed.find(desktop); it != closed.end()) {
        EXPECT_GE(r.start, it->second);
      }
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
    if (strategy == "always-on") {
      EXPECT_NEAR(out.result.totals.all.savings_pct(), 0.0, 1e-7);
    }
    if (strategy != "partial") {
      EXPECT_EQ(out.result.totals.all.wakeups, 0u);
    }
    EXPECT_EQ(out.result.server_refusals, 0u) << "the server has room for every VM here";

    // The same scenario again: the same records, the same event count.
    const RunOutput again = run_strategy(s, strategy);
    expect_same_run(out, again);
  }
  EXPECT_EQ(network["sleep-only"], 0u);
  EXPECT_EQ(network["always-on"], 0u);
  EXPECT_LE(network["partial"], network["full"]) << "partial never moves more bytes than full";
}

// With room on the server for every VM, desktops do not interact: each desktop's records are the ones
// it gets when simulated alone (a check on the engine's interleaving of desktops' events).
TEST_P(ModelProperties, DesktopsAreIndependent) {
  TempDir dir;
  RandomScenario gen(GetParam());
  const sim::Scenario s = sim::load_scenario(gen.write(dir));
  for (const std::string& strategy : s.strategies) {
    SCOPED_TRACE(strategy);
    const RunOutput all = run_strategy(s, strategy);
    for (const sim::DesktopSpec& spec : s.desktops) {
      SCOPED_TRACE(spec.id);
      const sim::Scenario one =
          sim::load_scenario(gen.write_single(dir, spec.id, s.profiles[spec.profile].name));
      ASSERT_EQ(one.desktops.size(), 1u);
      const RunOutput alone = run_strategy(one, strategy);
      std::vector<sim::PeriodRecord> mine;
      for (const auto& [desktop, r] : all.records) {
        if (desktop == spec.id) mine.push_back(r);
      }
      ASSERT_EQ(mine.size(), alone.records.size());
      for (std::size_t i = 0; i < mine.size(); ++i) {
        SCOPED_TRACE("period " + std::to_string(i));
        sim::PeriodRecord r = alone.records[i].second;
        r.desktop = mine[i].desktop;  // its index among the simulated desktops
        expect_same_record(mine[i], r);
      }
    }
  }
}

// The random scenarios reach every path the properties are about: each outcome, wake-ups, pre-copy
// with several rounds, shortened and skipped windows, repeating and stopping profiles.
TEST(ModelPropertiesCoverage, RandomScenariosReachEveryOutcome) {
  std::map<std::string, std::uint64_t> outcomes;  // "strategy/outcome" -> records
  std::uint64_t wakeups = 0, skipped = 0, shortened = 0, fetched = 0, dirty = 0, records = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    TempDir dir;
    RandomScenario gen(seed);
    const sim::Scenario s = sim::load_scenario(gen.write(dir));
    ASSERT_EQ(s.strategies.front(), "always-on");
    std::set<std::pair<std::string, std::int64_t>> trace_starts;
    for (const std::string& strategy : s.strategies) {
      const RunOutput out = run_strategy(s, strategy);
      skipped += out.result.totals.skipped_periods;
      for (const auto& [desktop, r] : out.records) {
        ++records;
        ++outcomes[strategy + "/" + std::string(sim::name_of(r.outcome))];
        wakeups += r.wakeups;
        fetched += r.fetched_pages;
        dirty += r.dirty_pages;
      }
      // always-on opens every window at its period's start (it runs first): a window of another
      // strategy that opens at none of those starts was shortened.
      for (const auto& [desktop, r] : out.records) {
        if (strategy == "always-on")
          trace_starts.insert({desktop, r.start.us()});
        else if (!trace_starts.count({desktop, r.start.us()}))
          ++shortened;
      }
    }
  }
  std::string summary;
  for (const auto& [k, n] : outcomes) summary += k + "=" + std::to_string(n) + " ";
  std::printf("records %llu, wake-ups %llu, fetched %llu, dirty %llu, skipped %llu, shortened %llu\n%s\n",
              static_cast<unsigned long long>(records), static_cast<unsigned long long>(wakeups),
              static_cast<unsigned long long>(fetched), static_cast<unsigned long long>(dirty),
              static_cast<unsigned long long>(skipped), static_cast<unsigned long long>(shortened),
              summary.c_str());
  for (const char* k :
       {"always-on/stayed-on", "sleep-only/stayed-on", "sleep-only/slept", "full/stayed-on", "full/migrated",
        "full/aborted", "partial/stayed-on", "partial/migrated", "partial/aborted"}) {
    EXPECT_GT(outcomes[k], 0u) << k;
  }
  EXPECT_GT(wakeups, 0u);
  EXPECT_GT(fetched, 0u);
  EXPECT_GT(dirty, 0u);
  EXPECT_GT(skipped, 0u);
  EXPECT_GT(shortened, 0u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ModelProperties, ::testing::Range<std::uint64_t>(1, 21));

}  // namespace
}  // namespace jettison::testing::model
