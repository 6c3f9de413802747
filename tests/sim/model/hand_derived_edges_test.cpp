// Hand-derived cases of the rules sim/MODEL.md states for edge cases ("Edge cases"). Scenario as in
// hand_derived_partial_test.cpp (model_support.hpp): A = 60 s, partial migration 3 068 109 us,
// timeout 20 s, suspend 2 s, resume_full 4 s; reintegration of the metadata alone: 1 s + 1 ms +
// 67 109 us = 1 068 109 us.
#include <gtest/gtest.h>

#include "tests/sim/model/model_support.hpp"

namespace jettison::testing::model {
namespace {

using sim::PowerState;

// A page request that arrives while the desktop suspends, with the user back before the suspend
// ends, is counted as a fetched page but not as a wake-up: the user's full resume serves it.
// Period [1000, 1084.5): serving 1063.068109 -> 1083.068109; suspending -> 1085.068109. Page 5 (r)
// at offset 84 (1084) arrives while suspending; the user is back at 1084.5, still suspending: the
// suspend completes, then resuming_full 4 s -> 1089.068109; reintegration of the metadata (page 5 was
// read: nothing dirty) -> 1090.136218. r = 5.636218 s.
// States (us): idle 60 000 000; migrating 3 068 109 + 1 068 109 = 4 136 218; serving 20 000 000;
//   suspending 2 000 000; resuming_full 4 000 000. Sum 90 136 218 = the window.
// Energy: 6000 + 110 x 4.136218 + 30 x 20 + 50 x 2 + 80 x 4 = 7474.98398 J.
TEST(HandDerivedEdges, RequestDuringASuspendTheUserCutsShortIsNoWakeup) {
  TempDir dir;
  const auto s = load_hand_scenario(dir, "desktop,start,end\nd0,1000,1084.5\n", "time,page,op\n84,5,r\n");
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(r.wakeups, 0u);
  EXPECT_EQ(r.fetched_pages, 1u);
  EXPECT_EQ(r.dirty_pages, 0u);
  EXPECT_EQ(r.window.us(), 90'136'218);
  ASSERT_TRUE(r.return_latency.has_value());
  EXPECT_EQ(r.return_latency->us(), 5'636'218);
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                         .migrating = 4'136'218,
                         .suspending = 2'000'000,
                         .resuming_full = 4'000'000,
                         .serving = 20'000'000});
  expect_energy(r.energy, 7'474.98398, "energy");
}

// `period` numbers the windows a desktop opened, from 0: a skipped idle period gets no number.
// sleep-only: period [1000, 1100): suspend at 1060, asleep 1062, user back at 1100, resuming_full ->
// 1104: the window closes then. [1101, 1102) starts and ends before that: skipped. [1200, 1300) opens
// the desktop's second window: period 1.
TEST(HandDerivedEdges, PeriodCountsOpenedWindowsNotTraceRows) {
  TempDir dir;
  const auto s = load_hand_scenario(dir, "desktop,start,end\nd0,1000,1100\nd0,1101,1102\nd0,1200,1300\n",
                                    "time,page,op\n1,1,r\n");
  const RunOutput out = run_strategy(s, "sleep-only");
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(out.records[0].second.period, 0u);
  EXPECT_EQ(out.records[0].second.window.us(), 104'000'000);
  EXPECT_EQ(out.records[1].second.period, 1u);
  EXPECT_EQ(out.records[1].second.start.us(), 1'200'000'000);
  EXPECT_EQ(out.result.totals.skipped_periods, 1u);
}

}  // namespace
}  // namespace jettison::testing::model
