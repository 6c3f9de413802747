// policy/gap_predictor and policy/adaptive_sleep on hand-made gap sequences. Costs: round_costs(),
// break-even b = 5 s; margin(y) = max(y / 4, 1 ms).
#include "policy/adaptive_sleep.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "policy/gap_predictor.hpp"
#include "tests/policy/sleep_model.hpp"

namespace jettison::policy {
namespace {

using testing::ms;
using testing::round_costs;
using testing::sec;

Duration s_(std::int64_t s) { return Duration::seconds(s); }
Duration ms_(std::int64_t m) { return Duration::millis(m); }

TEST(GapPredictor, EmptyPredictsNothing) {
  GapPredictor p(8, s_(5));
  EXPECT_TRUE(p.empty());
  EXPECT_FALSE(p.predict());
  EXPECT_FALSE(p.predict_beyond(Duration{}));
}

TEST(GapPredictor, PredictsTheLowerMedianOfTheRecentGaps) {
  GapPredictor p(8, s_(5));
  for (auto g : {3, 1, 40, 1, 1}) p.observe(s_(g));
  // sorted 1 1 1 3 40: median 1 s
  EXPECT_EQ(p.predict(), s_(1));
  p.observe(s_(7));
  // sorted 1 1 1 3 7 40: lower median (index 2) = 1 s
  EXPECT_EQ(p.predict(), s_(1));
  p.observe(s_(9));
  p.observe(s_(8));
  // sorted 1 1 1 3 7 8 9 40: lower median (index 3) = 3 s
  EXPECT_EQ(p.predict(), s_(3));
  p.observe(s_(10));  // history 8: the first gap (3 s) drops out -> 1 1 1 7 8 9 10 40: 7 s
  EXPECT_EQ(p.predict(), s_(7));
}

TEST(GapPredictor, PredictsBeyondFromRecentThenLongGaps) {
  GapPredictor p(2, s_(5));  // two gaps in each memory; long = at least 5 s
  for (auto g : {60, 80, 1, 2}) p.observe(s_(g));
  // recent: 1 2; long: 60 80
  EXPECT_EQ(p.predict(), s_(1));
  EXPECT_EQ(p.predict_beyond(ms_(500)), s_(1));   // recent gaps > 0.5 s: 1 2 -> 1
  EXPECT_EQ(p.predict_beyond(ms_(1500)), s_(2));  // recent gaps > 1.5 s: 2
  EXPECT_EQ(p.predict_beyond(s_(2)), s_(60));     // none recent; long gaps > 2 s: 60 80 -> 60
  EXPECT_EQ(p.predict_beyond(s_(70)), s_(80));
  EXPECT_FALSE(p.predict_beyond(s_(80)));  // longer than anything remembered
}

TEST(GapPredictor, HistoryZeroRemembersOneGap) {
  GapPredictor p(0, s_(5));
  p.observe(s_(1));
  p.observe(s_(2));
  EXPECT_EQ(p.history(), 1U);
  EXPECT_EQ(p.predict(), s_(2));
}

TEST(IdleGapTracker, GapsRunFromTheLastServedTimeToTheNextArrival) {
  IdleGapTracker t(8, s_(5), s_(1));
  t.period_start(sec(0));
  t.request(sec(1), ms(1500));    // gap 0 -> 1 s = 1 s; idle from 1.5 s
  t.request(ms(1200), ms(1700));  // arrived while the first was served: no gap; idle from 1.7 s
  t.request(ms(1700), ms(2200));  // arrived exactly at the idle start: a 0 s gap
  EXPECT_EQ(t.last_idle(), ms(2200));
  GapPredictor expect(8, s_(5));
  expect.observe(s_(1));
  expect.observe(Duration{});
  EXPECT_EQ(t.predictor().predict(), expect.predict());  // lower median of {0, 1} = 0
  EXPECT_EQ(t.predictor().predict_beyond(Duration{}), s_(1));
}

TEST(IdleGapTracker, AfterAWakeTheArrivalIsTheWakeStart) {
  IdleGapTracker t(8, s_(5), s_(1));
  t.period_start(sec(0));
  t.request(sec(1), ms(1500));  // gap 1 s
  t.sleep(ms(1500));            // suspended by 3.5 s
  t.wake(sec(11));              // wake 10 -> 11 s: the request arrived at 10 s (asleep)
  EXPECT_EQ(t.last_idle(), sec(11));
  t.request(sec(11), ms(11500));  // the simulator reports the wake end as the arrival
  // gap = 10 - 1.5 = 8.5 s: recent {1, 8.5}
  EXPECT_EQ(t.predictor().predict_beyond(s_(1)), ms_(8500));
  EXPECT_EQ(t.last_idle(), ms(11500));
}

TEST(IdleGapTracker, ARequestDuringTheSuspendIsDatedAtTheSuspendEnd) {
  IdleGapTracker t(8, s_(5), s_(1));
  t.period_start(sec(0));
  t.sleep(sec(1));  // suspends 1 -> 3 s; a request arrives at 2 s (unknown to the rule)
  t.wake(sec(4));   // wake 3 -> 4 s: the estimate is max(4 - 1, 1) = 3 s
  t.request(sec(4), ms(4500));
  EXPECT_EQ(t.predictor().predict(), s_(3));  // gap 0 -> 3 s (the true one was 2 s)
}

TEST(IdleGapTracker, AnEarlierReportedArrivalAfterAWakeIsTrusted) {
  IdleGapTracker t(8, s_(5), s_(1));
  t.period_start(sec(0));
  t.sleep(sec(1));
  t.wake(sec(4));
  t.request(sec(2), ms(4500));  // an emulator that knows the true arrival (2 s) reports it
  EXPECT_EQ(t.predictor().predict(), s_(2));
}

// Feeds `gaps` to a scheduler as requests each served at its arrival (no sleeps), from t = 0.
template <class S>
Time feed(S& s, const std::vector<Duration>& gaps) {
  Time t = sec(0);
  s.on_period_start(t, nullptr);
  for (Duration g : gaps) {
    t = t + g;
    s.on_request(t, t);
  }
  return t;
}

AdaptiveSleep adaptive(std::uint32_t history = 8) {
  SleepParams p;
  p.history = history;
  return AdaptiveSleep(p, round_costs());
}

TEST(AdaptiveSleep, WithoutHistoryWaitsTheBreakEvenTime) {
  AdaptiveSleep s = adaptive();
  s.on_period_start(sec(7), nullptr);
  EXPECT_EQ(s.sleep_at(), sec(12));
}

TEST(AdaptiveSleep, SleepsAtOnceWhenTheGapsAreLong) {
  AdaptiveSleep s = adaptive();
  const Time last = feed(s, {s_(60), s_(60), s_(60)});
  // predicted 60 s > b = 5 s: sleep at the last served time
  EXPECT_EQ(s.wait(), Duration{});
  EXPECT_EQ(s.sleep_at(), last);
}

TEST(AdaptiveSleep, ShortGapsAloneFallBackToBreakEven) {
  AdaptiveSleep s = adaptive();
  const Time last = feed(s, {s_(2), s_(2), s_(2)});
  // predicted 2 s < 5 s: stay until 2 + 0.5 = 2.5 s; no remembered gap is longer: max(2.5, 5) = 5 s
  EXPECT_EQ(s.sleep_at(), last + s_(5));
}

TEST(AdaptiveSleep, AfterABurstSleepsOnceTheShortGapsAreOutlasted) {
  AdaptiveSleep s = adaptive();
  std::vector<Duration> gaps{s_(60)};
  for (int i = 0; i < 8; ++i) gaps.push_back(ms_(10));
  const Time last = feed(s, gaps);
  // recent: eight 10 ms gaps (the 60 s gap pushed out); long memory: 60 s.
  // predicted 10 ms: stay until 10 + max(2.5, 1) = 12.5 ms; beyond 12.5 ms: no recent gap, the long
  // memory says 60 s, and 60 - 0.0125 > 5: sleep at 12.5 ms.
  EXPECT_EQ(s.wait(), Duration::micros(12'500));
  EXPECT_EQ(s.sleep_at(), last + Duration::micros(12'500));
}

TEST(AdaptiveSleep, WalksUpTheRememberedGaps) {
  AdaptiveSleep s = adaptive();
  const Time last = feed(s, {s_(1), s_(1), s_(1), s_(3), s_(40)});
  // median 1 s -> x = 1.25 s; gaps > 1.25 s: {3, 40}, lower median 3 s, 3 - 1.25 < 5 -> x = 3.75 s;
  // gaps > 3.75 s: {40}, 40 - 3.75 = 36.25 > 5 -> sleep at 3.75 s.
  EXPECT_EQ(s.sleep_at(), last + ms_(3750));
}

TEST(AdaptiveSleep, APredictionJustBelowBreakEvenStaysUntilItsMarginPasses) {
  AdaptiveSleep s = adaptive();
  const Time last = feed(s, {s_(5), s_(5)});
  // predicted 5 s, not more than b = 5 s: stay until 5 + 1.25 = 6.25 s; no gap is longer than that:
  // max(6.25, 5) = 6.25 s.
  EXPECT_EQ(s.sleep_at(), last + ms_(6250));
}

TEST(AdaptiveSleep, ThePredictionJustAboveBreakEvenSleepsAtOnce) {
  AdaptiveSleep s = adaptive();
  const Time last = feed(s, {Duration::micros(5'000'001)});
  EXPECT_EQ(s.sleep_at(), last);
}

TEST(AdaptiveSleep, ShortHistoryKeepsTheLongGaps) {
  AdaptiveSleep s = adaptive(2);
  const Time last = feed(s, {s_(60), s_(60), s_(1), s_(1)});
  // recent {1, 1}, long {60, 60}: x = 1.25 s, then 60 s predicted: sleep at 1.25 s
  EXPECT_EQ(s.sleep_at(), last + ms_(1250));
}

TEST(AdaptiveSleep, HistoryPersistsAcrossPeriods) {
  AdaptiveSleep s = adaptive();
  feed(s, {s_(60), s_(60)});
  s.on_period_end(sec(200));
  s.on_period_start(sec(1000), nullptr);
  EXPECT_EQ(s.sleep_at(), sec(1000));  // predicted 60 s: sleep as soon as the period starts
}

TEST(AdaptiveSleep, LearnsFromGapsItSleptThrough) {
  AdaptiveSleep s = adaptive();
  s.on_period_start(sec(0), nullptr);
  EXPECT_EQ(s.sleep_at(), sec(5));  // no history: break-even
  s.on_sleep(sec(5));               // suspended by 7 s
  s.on_wake(sec(31));               // woke 30 -> 31 s for a request that arrived at 30 s
  s.on_request(sec(31), ms(31500));
  // gap 0 -> 30 s: predicted 30 s > 5 s: sleep at once
  EXPECT_EQ(s.sleep_at(), ms(31500));
}

}  // namespace
}  // namespace jettison::policy
