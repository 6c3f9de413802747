// The record properties (record_checks.hpp) and determinism on the bundled default scenario: 20 desktops
// over a week of the sample traces, the four strategies. Slower than the unit tests (label slow).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "tests/sim/model/model_support.hpp"
#include "tests/sim/model/record_checks.hpp"

namespace jettison::testing::model {
namespace {

TEST(DefaultScenario, RecordPropertiesHoldAndRunsRepeat) {
  const sim::Scenario s = sim::load_scenario(sim::kDefaultScenario);
  ASSERT_EQ(s.strategies.size(), 4u);
  std::map<std::string, std::uint64_t> network;
  std::map<std::string, double> savings;
  for (const std::string& strategy : s.strategies) {
    SCOPED_TRACE(strategy);
    const RunOutput out = run_strategy(s, strategy);
    ASSERT_FALSE(out.records.empty());
    // The scenario simulates every desktop of the trace: each period is simulated or skipped.
    ASSERT_EQ(s.desktops.size(), s.idle_trace.desktops().size());
    EXPECT_EQ(out.records.size() + out.result.totals.skipped_periods, s.idle_trace.periods);
    std::uint64_t bytes = 0;
    for (const auto& [desktop, r] : out.records) {
      check_record(s, strategy, desktop, r);
      bytes += r.network().count();
    }
    network[strategy] = bytes;
    savings[strategy] = out.result.totals.all.savings_pct();
    expect_same_run(out, run_strategy(s, strategy));
  }
  EXPECT_EQ(network["always-on"], 0u);
  EXPECT_EQ(network["sleep-only"], 0u);
  EXPECT_LE(network["partial"], network["full"]);
  EXPECT_NEAR(savings["always-on"], 0.0, 1e-7);
  EXPECT_GT(savings["sleep-only"], 0.0);
  EXPECT_GT(savings["partial"], 0.0);
}

}  // namespace
}  // namespace jettison::testing::model
