// The page state of hosted VMs (sim/model/page_state_gauge.hpp): partial's window and a prefetcher's
// per-page flags are on the gauge only while they exist, and a window exists only while its VM is
// away (from the migration until the window closes). Each test runs in its own process (gtest
// discovery), so the gauge starts at zero in each.
#include <gtest/gtest.h>

#include "sim/model/page_state_gauge.hpp"
#include "sim/model/page_states.hpp"
#include "sim/strategy/partial_window.hpp"
#include "tests/sim/model/model_support.hpp"

namespace jettison::testing::model {
namespace {

using sim::PageStateGauge;
using sim::PageStates;

TEST(PageStateGauge, PageFlagsCountWhileTheyExist) {
  const std::int64_t before = PageStateGauge::current();
  {
    PageStates pages;
    pages.reset(100);  // one byte of flags a page: 100 bytes
    EXPECT_GE(PageStateGauge::current() - before, 100);
    pages.set(7, PageStates::kResident);  // the list of flagged pages: one 4-byte entry more
    EXPECT_GE(PageStateGauge::current() - before, 104);
    const PageStates copy = pages;  // a copy holds (and counts) its own arrays
    EXPECT_GE(PageStateGauge::current() - before, 208);
  }
  EXPECT_EQ(PageStateGauge::current(), before);
  EXPECT_GE(PageStateGauge::peak() - before, 208);
}

// One period [1000 s, 4600 s); the VM touches pages 1, 2 and 3 once away (offsets 300, 600, 900 s:
// after the migration, which ends at 1063.068109 s, hand_derived_partial_test.cpp), so the profile
// has 3 pages and spatial prefetch keeps 3 bytes of flags (PageStates) besides the window.
TEST(PageStateGauge, APrefetchersFlagsLiveOnlyWhileTheVmIsAway) {
  TempDir dir;
  dir.write("idle.csv", "desktop,start,end\nd0,1000,4600\n");
  dir.write("pages.csv", "time,page,op\n300,1,r\n600,2,w\n900,3,r\n");
  const sim::Scenario s = sim::load_scenario(dir.write("scenario.yaml", hand_scenario_yaml({})),
                                             {"policy.prefetch.rule=spatial", "policy.prefetch.radius=1"});
  ASSERT_EQ(s.profiles.at(0).unique_pages(), 3U);
  const std::int64_t before = PageStateGauge::current();
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 1U);
  EXPECT_EQ(out.records[0].second.outcome, sim::Outcome::kMigrated);
  // The window closed after the reintegration: nothing left on the gauge.
  EXPECT_EQ(PageStateGauge::current(), before);
  // While the VM was away: the window and its 3 bytes of flags (and the flagged pages' list).
  EXPECT_GE(PageStateGauge::peak() - before, static_cast<std::int64_t>(sizeof(sim::PartialWindow)) + 3);
}

}  // namespace
}  // namespace jettison::testing::model
