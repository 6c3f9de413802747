// Hand-derived cases from sim/MODEL.md: always-on, sleep-only, periods too short to act on,
// shortened and skipped windows, and refusals. The scenario's round numbers are listed in
// model_support.hpp (idle 100 W, active 120 W, asleep 2 W, suspending 50 W, resuming_full 80 W,
// migrating 110 W; suspend 2 s, resume_full 4 s; migrate_after 60 s).
#include <gtest/gtest.h>

#include "tests/sim/model/model_support.hpp"

namespace jettison::testing::model {
namespace {

using sim::PowerState;

constexpr const char* kOneHour = "desktop,start,end\nd0,1000,4600\n";
// A profile that never matters to always-on and sleep-only.
constexpr const char* kSomePages = "time,page,op\n300,1,w\n600,2,r\n";

// always-on, one idle period [1000 s, 4600 s): L = 3600 s.
//   The desktop stays `idle` for the whole window; r = 0, so window = L = 3600 s.
//   E = 100 W x 3600 s = 360 000 J; baseline = the same; savings exactly 0.
TEST(HandDerivedAlwaysOn, OneHourIsIdlePowerTimesAnHour) {
  TempDir dir;
  const auto s = load_hand_scenario(dir, kOneHour, kSomePages);
  const RunOutput out = run_strategy(s, "always-on");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(out.records[0].first, "d0");
  EXPECT_EQ(r.start.us(), 1'000'000'000);
  EXPECT_EQ(r.idle.us(), 3'600'000'000);
  EXPECT_EQ(r.window.us(), 3'600'000'000);
  EXPECT_STATE_TIMES(r, {.idle = 3'600'000'000});
  expect_energy(r.energy, 360'000.0, "energy");
  EXPECT_EQ(r.energy.joules(), r.baseline.joules()) << "always-on saves exactly 0";
  EXPECT_DOUBLE_EQ(out.result.totals.all.savings_pct(), 0.0);
  EXPECT_FALSE(r.return_latency.has_value());
  EXPECT_FALSE(r.migration_latency.has_value());
  EXPECT_EQ(r.network().count(), 0u);
  EXPECT_EQ(r.wakeups, 0u);
  EXPECT_EQ(sim::name_of(r.outcome), "stayed-on");
}

// sleep-only, one idle period [1000 s, 4600 s), A = 60 s:
//   idle        1000 -> 1060      60 s
//   suspending  1060 -> 1062       2 s
//   asleep      1062 -> 4600    3538 s
//   resuming_full 4600 -> 4604     4 s   (the user is back at 4600)
//   window = 3604 s, r = 4 s.
//   E = 100x60 + 50x2 + 2x3538 + 80x4 = 6000 + 100 + 7076 + 320 = 13 496 J
//   baseline = 100 W x 3600 s + 120 W x 4 s = 360 480 J; savings = 1 - 13496/360480 = 96.256 %
TEST(HandDerivedSleepOnly, OneHourSuspendsAfterMigrateAfterAndResumesFully) {
  TempDir dir;
  const auto s = load_hand_scenario(dir, kOneHour, kSomePages);
  const RunOutput out = run_strategy(s, "sleep-only");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(r.idle.us(), 3'600'000'000);
  EXPECT_EQ(r.window.us(), 3'604'000'000);
  EXPECT_STATE_TIMES(
      r, {.idle = 60'000'000, .suspending = 2'000'000, .asleep = 3'538'000'000, .resuming_full = 4'000'000});
  expect_energy(r.energy, 13'496.0, "energy");
  expect_energy(r.baseline, 360'480.0, "baseline");
  EXPECT_NEAR(out.result.totals.all.savings_pct(), 100.0 * (1.0 - 13'496.0 / 360'480.0), 0.01);
  ASSERT_TRUE(r.return_latency.has_value());
  EXPECT_EQ(r.return_latency->us(), 4'000'000);
  EXPECT_EQ(r.network().count(), 0u);
  EXPECT_EQ(r.wakeups, 0u);
  EXPECT_EQ(sim::name_of(r.outcome), "slept");
}

// sleep-only, the user returns while the desktop is suspending: [1000 s, 1061 s), L = 61 s.
//   idle 1000 -> 1060 (60 s); suspending 1060 -> 1062 (2 s: the suspend completes although the user
//   is back at 1061); resuming_full 1062 -> 1066 (4 s). window = 66 s, r = 5 s.
//   E = 6000 + 100 + 320 = 6420 J; baseline = 100x61 + 120x5 = 6700 J.
TEST(HandDerivedSleepOnly, ReturnWhileSuspendingWaitsForTheSuspend) {
  TempDir dir;
  const auto s = load_hand_scenario(dir, "desktop,start,end\nd0,1000,1061\n", kSomePages);
  const RunOutput out = run_strategy(s, "sleep-only");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(r.window.us(), 66'000'000);
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000, .suspending = 2'000'000, .resuming_full = 4'000'000});
  ASSERT_TRUE(r.return_latency.has_value());
  EXPECT_EQ(r.return_latency->us(), 5'000'000);
  expect_energy(r.energy, 6'420.0, "energy");
  expect_energy(r.baseline, 6'700.0, "baseline");
}

// L = A = 60 s ([1000 s, 1060 s)): L <= A, so every strategy stays `idle` (outcome stayed-on).
//   E = baseline = 100 W x 60 s = 6000 J, window = 60 s, nothing moves.
// And L = 30 s: E = baseline = 3000 J.
TEST(HandDerivedStayedOn, PeriodNoLongerThanMigrateAfterStaysOnForEveryStrategy) {
  TempDir dir;
  const auto s = load_hand_scenario(dir, "desktop,start,end\nd0,1000,1060\nd0,2000,2030\n", kSomePages);
  for (const char* strategy : {"always-on", "sleep-only", "full", "partial"}) {
    SCOPED_TRACE(strategy);
    const RunOutput out = run_strategy(s, strategy);
    ASSERT_EQ(out.records.size(), 2u);
    const double expected[] = {6'000.0, 3'000.0};
    const std::int64_t lengths[] = {60'000'000, 30'000'000};
    for (std::size_t i = 0; i < 2; ++i) {
      const sim::PeriodRecord& r = out.records[i].second;
      EXPECT_EQ(r.window.us(), lengths[i]);
      EXPECT_STATE_TIMES(r, {.idle = lengths[i]});
      expect_energy(r.energy, expected[i], "energy");
      EXPECT_EQ(r.energy.joules(), r.baseline.joules());
      EXPECT_EQ(r.network().count(), 0u);
      EXPECT_EQ(r.wakeups, 0u);
      EXPECT_FALSE(r.return_latency.has_value());
      EXPECT_EQ(sim::name_of(r.outcome), "stayed-on");
    }
    EXPECT_EQ(out.result.totals.all.migrations, 0u);
  }
}

// sleep-only with periods [1000, 4600), [4601, 4603), [4603.5, 5000):
//   window 1 closes at 4604 (as above). Period 2 started before that and ended at 4603 < 4604: skipped.
//   Period 3 started at 4603.5 < 4604: its window opens at 4604 and is shortened, L = 5000 - 4604 = 396 s:
//   idle 60 s, suspending 2 s, asleep 396 - 62 = 334 s, resuming_full 4 s; window 400 s.
//   E = 6000 + 100 + 668 + 320 = 7088 J; baseline = 100x396 + 120x4 = 40 080 J.
TEST(HandDerivedSleepOnly, PeriodsStartingBeforeTheCloseAreShortenedOrSkipped) {
  TempDir dir;
  const auto s =
      load_hand_scenario(dir, "desktop,start,end\nd0,1000,4600\nd0,4601,4603\nd0,4603.5,5000\n", kSomePages);
  const RunOutput out = run_strategy(s, "sleep-only");
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(out.result.totals.skipped_periods, 1u);
  const sim::PeriodRecord& r = out.records[1].second;
  EXPECT_EQ(r.start.us(), 4'604'000'000);
  EXPECT_EQ(r.idle.us(), 396'000'000);
  EXPECT_EQ(r.window.us(), 400'000'000);
  EXPECT_STATE_TIMES(
      r, {.idle = 60'000'000, .suspending = 2'000'000, .asleep = 334'000'000, .resuming_full = 4'000'000});
  expect_energy(r.energy, 7'088.0, "energy");
  expect_energy(r.baseline, 40'080.0, "baseline");

  // always-on closes every window at the user's return: nothing is shortened or skipped.
  const RunOutput on = run_strategy(s, "always-on");
  ASSERT_EQ(on.records.size(), 3u);
  EXPECT_EQ(on.result.totals.skipped_periods, 0u);
  EXPECT_EQ(on.records[2].second.start.us(), 4'603'500'000);
}

// A server too small for the VM refuses it: the desktop sleeps as sleep-only does (same state
// times and energy as HandDerivedSleepOnly: 13 496 J, window 3604 s), outcome refused, nothing moves.
//   partial needs 8 MiB of metadata: server 4 MiB refuses. full needs 1 GiB: server 512 MiB refuses.
TEST(HandDerivedRefused, RefusedVmSleepsLikeSleepOnly) {
  for (const auto& [strategy, memory] : {std::pair{"partial", "4MiB"}, std::pair{"full", "512MiB"}}) {
    SCOPED_TRACE(strategy);
    TempDir dir;
    Knobs k;
    k.server_memory = memory;
    const auto s = load_hand_scenario(dir, kOneHour, kSomePages, k);
    const RunOutput out = run_strategy(s, strategy);
    ASSERT_EQ(out.records.size(), 1u);
    const sim::PeriodRecord& r = out.records[0].second;
    EXPECT_EQ(sim::name_of(r.outcome), "refused");
    EXPECT_EQ(r.window.us(), 3'604'000'000);
    EXPECT_STATE_TIMES(
        r,
        {.idle = 60'000'000, .suspending = 2'000'000, .asleep = 3'538'000'000, .resuming_full = 4'000'000});
    expect_energy(r.energy, 13'496.0, "energy");
    EXPECT_EQ(r.network().count(), 0u);
    EXPECT_EQ(r.wakeups, 0u);
    EXPECT_EQ(r.server_energy.joules(), 0.0);
    EXPECT_EQ(out.result.server_refusals, 1u);
    EXPECT_EQ(out.result.server_peak.count(), 0u);
  }
}

}  // namespace
}  // namespace jettison::testing::model
