// policy/learning_augmented_sleep: the wait for given predictions by hand, and the scheduler on
// hand-made gap sequences. Costs: round_costs(), break-even b = 5 s.
#include "policy/learning_augmented_sleep.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <vector>

#include "tests/policy/sleep_model.hpp"

namespace jettison::policy {
namespace {

using testing::round_costs;
using testing::sec;

const Duration b = Duration::seconds(5);

TEST(LearningAugmentedWait, NoPredictionIsBreakEven) {
  EXPECT_EQ(learning_augmented_wait(std::nullopt, b, 0.5), b);
}

TEST(LearningAugmentedWait, LongPredictionWaitsLambdaTimesBreakEven) {
  // y = 10 s >= b: lambda x b = 0.5 x 5 = 2.5 s
  EXPECT_EQ(learning_augmented_wait(Duration::seconds(10), b, 0.5), Duration::millis(2500));
  // y = b exactly counts as long: 0.3 x 5 = 1.5 s
  EXPECT_EQ(learning_augmented_wait(b, b, 0.3), Duration::millis(1500));
}

TEST(LearningAugmentedWait, ShortPredictionWaitsBreakEvenOverLambda) {
  // y = 1 s < b: b / lambda = 5 / 0.5 = 10 s
  EXPECT_EQ(learning_augmented_wait(Duration::seconds(1), b, 0.5), Duration::seconds(10));
  // 5 / 0.3 = 16.6666... s, rounded down to 16,666,666 us
  EXPECT_EQ(learning_augmented_wait(Duration::seconds(1), b, 0.3), Duration::micros(16'666'666));
}

TEST(LearningAugmentedWait, FullDistrustIsBreakEvenEitherWay) {
  EXPECT_EQ(learning_augmented_wait(Duration::seconds(1), b, 1.0), b);
  EXPECT_EQ(learning_augmented_wait(Duration::seconds(10), b, 1.0), b);
}

TEST(LearningAugmentedWait, TrustOutsideItsRangeIsClamped) {
  EXPECT_EQ(learning_augmented_wait(Duration::seconds(1), b, 2.0), b);  // lambda > 1 -> 1
  // lambda <= 0 -> 1e-6: 5 s x 1e6 = 5e6 s when the prediction is short, 5 us when long
  EXPECT_EQ(learning_augmented_wait(Duration::seconds(1), b, 0.0), Duration::seconds(5'000'000));
  EXPECT_EQ(learning_augmented_wait(Duration::seconds(10), b, -1.0), Duration::micros(5));
  EXPECT_EQ(learning_augmented_wait(Duration::seconds(1), b, std::numeric_limits<double>::quiet_NaN()), b);
}

TEST(LearningAugmentedWait, SleepingThatNeverPaysNeverSleeps) {
  EXPECT_EQ(learning_augmented_wait(Duration::seconds(1), Duration::max(), 0.5), Duration::max());
}

LearningAugmentedSleep la(double trust) {
  SleepParams p;
  p.trust = trust;
  return LearningAugmentedSleep(p, round_costs());
}

TEST(LearningAugmentedSleep, FollowsTheMedianPrediction) {
  LearningAugmentedSleep s = la(0.25);
  s.on_period_start(sec(0), nullptr);
  EXPECT_EQ(s.sleep_at(), sec(5));  // no history: b
  s.on_request(sec(60), sec(60));   // gap 60 s
  // predicted 60 s >= 5 s: 0.25 x 5 = 1.25 s
  EXPECT_EQ(s.sleep_at(), sec(60) + Duration::millis(1250));
  s.on_request(sec(61), sec(61));  // gap 1 s
  s.on_request(sec(62), sec(62));  // gap 1 s: median of {60, 1, 1} = 1 s < 5 s
  // 5 / 0.25 = 20 s
  EXPECT_EQ(s.sleep_at(), sec(82));
}

TEST(LearningAugmentedSleep, LearnsFromGapsItSleptThrough) {
  LearningAugmentedSleep s = la(0.5);
  s.on_period_start(sec(0), nullptr);
  s.on_sleep(sec(5));
  s.on_wake(sec(31));  // woke 30 -> 31 s (wake 1 s): the request arrived at 30 s
  s.on_request(sec(31), sec(31) + Duration::millis(500));
  // gap 30 s >= 5 s: 0.5 x 5 = 2.5 s after 31.5 s
  EXPECT_EQ(s.sleep_at(), sec(34));
}

}  // namespace
}  // namespace jettison::policy
