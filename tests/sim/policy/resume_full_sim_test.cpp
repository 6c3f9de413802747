// `policy.resume.pages: full` in the simulator (sim/MODEL.md "Policies"), hand-derived. A page-service
// wake-up is a full resume (`resuming_full` for wake_on_lan + resume_full) into `idle` (full power),
// which serves pages; a user returning while the desktop is awake there needs no further resume.
// Scenario (model_support.hpp): powers idle 100 W, active 120 W, migrating 110 W, suspending 50 W,
// asleep 2 W, resuming_full 80 W; suspend 2 s, resume_full 4 s, wake_on_lan 10 ms; link 1 Gbps,
// latency 1 ms; A = 60 s; page 4096 B (a 1-page request: 2 ms + 33 us = 2 033 us); metadata 8 MiB
// (67 109 us; with 1 page 67 142 us); partial setup 3 s; reintegration_setup 1 s; timeout 20 s.
//
// Profile (stop): offset 300 page 1 w, offset 600 page 2 r. Common timeline from t0 = 1000:
//   idle 1000 -> 1060; migrating 1060 -> 1063.068109; then `idle` (the fully-on serving state, not
//   `serving`): timer at 1083.068109; suspending -> 1085.068109; asleep.
//   300: wake-up 1: resuming_full for 10 ms + 4 s = 4.01 s: 1300 -> 1304.01; then `idle`; page 1
//        served 1304.012033; timer 1324.012033; suspending -> 1326.012033; asleep.
//   600: wake-up 2: resuming_full 1600 -> 1604.01; page 2 served 1604.012033 (timer 1624.012033).
#include <gtest/gtest.h>

#include "tests/sim/policy/policy_support.hpp"

namespace jettison::testing::policy_sim {
namespace {

using model::expect_energy;
using model::run_strategy;
using sim::PowerState;

constexpr const char* kTwoPages = "time,page,op\n300,1,w\n600,2,r\n";
constexpr const char* kResumeFull = "  resume: {pages: full}\n";

// The user back at 1610 (L = 610 s) while the desktop is awake in `idle` after wake-up 2: no resume
// at all (resuming_full for 0 s), reintegration of page 1 + metadata at once: 1 s + 1 ms + 67 142 us
// = 1 068 142 us -> close 1611.068142; r = 1.068142 s.
// States (us): idle 60 000 000 + 20 000 000 (1063.068109 -> 1083.068109) + 20 002 033
//   (1304.01 -> 1324.012033) + 5 990 000 (1604.01 -> 1610) = 105 992 033;
//   migrating 3 068 109 + 1 068 142 = 4 136 251; suspending 2 x 2 s = 4 000 000;
//   asleep (1085.068109 -> 1300) 214 931 891 + (1326.012033 -> 1600) 273 987 967 = 488 919 858;
//   resuming_full 2 x 4 010 000 = 8 020 000; serving and resuming_selective 0. Sum 611 068 142.
// Energy: 100x105.992033 + 110x4.136251 + 50x4 + 2x488.919858 + 80x8.02
//   = 10 599.2033 + 454.98761 + 200 + 977.839716 + 641.6 = 12 873.630626 J
// Baseline: 100x610 + 120x1.068142 = 61 128.17704 J.
TEST(ResumeFullInSim, WakesFullyAndServesInIdle) {
  TempDir dir;
  const auto s = load_policy_scenario(dir, "desktop,start,end\nd0,1000,1610\n", kTwoPages, kResumeFull);
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(sim::name_of(r.outcome), "migrated");
  EXPECT_EQ(r.window.us(), 611'068'142);
  EXPECT_STATE_TIMES(r, {.idle = 105'992'033,
                         .migrating = 4'136'251,
                         .suspending = 4'000'000,
                         .asleep = 488'919'858,
                         .resuming_full = 8'020'000});
  EXPECT_EQ(r.wakeups, 2u);
  EXPECT_EQ(r.fetched_pages, 2u);
  EXPECT_EQ(r.dirty_pages, 1u);
  EXPECT_EQ(r.reintegrated.count(), 8'392'704u);
  ASSERT_TRUE(r.return_latency.has_value());
  EXPECT_EQ(r.return_latency->us(), 1'068'142);
  expect_energy(r.energy, 12'873.630626, "energy");
  expect_energy(r.baseline, 61'128.17704, "baseline");
}

// The user back at 1602 (L = 602 s) during wake-up 2's full resume (1600 -> 1604.01): when it ends
// the desktop is fully up: reintegration at once (page 2, queued, is fetched but not served);
// 1604.01 + 1.068142 -> close 1605.078142; r = 3.078142 s.
// States (us): idle 60 000 000 + 20 000 000 + 20 002 033 = 100 002 033; migrating 4 136 251;
//   suspending 4 000 000; asleep 488 919 858; resuming_full 8 020 000. Sum 605 078 142.
// Energy: 10 000.2033 + 454.98761 + 200 + 977.839716 + 641.6 = 12 274.630626 J
// Baseline: 100x602 + 120x3.078142 = 60 569.37704 J.
TEST(ResumeFullInSim, UserBackDuringAPageWakeNeedsNoSecondResume) {
  TempDir dir;
  const auto s = load_policy_scenario(dir, "desktop,start,end\nd0,1000,1602\n", kTwoPages, kResumeFull);
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(r.window.us(), 605'078'142);
  EXPECT_STATE_TIMES(r, {.idle = 100'002'033,
                         .migrating = 4'136'251,
                         .suspending = 4'000'000,
                         .asleep = 488'919'858,
                         .resuming_full = 8'020'000});
  EXPECT_EQ(r.wakeups, 2u);
  EXPECT_EQ(r.fetched_pages, 2u);
  EXPECT_EQ(r.dirty_pages, 1u);
  ASSERT_TRUE(r.return_latency.has_value());
  EXPECT_EQ(r.return_latency->us(), 3'078'142);
  expect_energy(r.energy, 12'274.630626, "energy");
  expect_energy(r.baseline, 60'569.37704, "baseline");
}

// For contrast, the selective default on the 1610 case: wake-ups are resuming_selective 1.01 s, the
// desktop serves in `serving` (30 W), and the user returning at 1610 (serving since 1601.01) waits
// for resume_full - resume_selective = 3 s, then the same reintegration: close 1614.068142.
// States (us): idle 60 000 000; serving 20 000 000 + 20 002 033 (1301.01 -> 1321.012033)
//   + 8 990 000 (1601.01 -> 1610) = 48 992 033; migrating 4 136 251; suspending 4 000 000;
//   asleep (1085.068109 -> 1300) 214 931 891 + (1323.012033 -> 1600) 276 987 967 = 491 919 858;
//   resuming_selective 2 020 000; resuming_full 3 000 000. Sum 614 068 142.
TEST(ResumeFullInSim, SelectiveForContrast) {
  TempDir dir;
  const auto s = load_policy_scenario(dir, "desktop,start,end\nd0,1000,1610\n", kTwoPages,
                                      "  resume: {pages: selective}\n");
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(r.window.us(), 614'068'142);
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                         .migrating = 4'136'251,
                         .suspending = 4'000'000,
                         .asleep = 491'919'858,
                         .resuming_full = 3'000'000,
                         .resuming_selective = 2'020'000,
                         .serving = 48'992'033});
  EXPECT_EQ(r.wakeups, 2u);
}

}  // namespace
}  // namespace jettison::testing::policy_sim
