// `learning-augmented`: ski rental with a prediction of the gap (Purohit, Svitkina, Kumar,
// "Improving Online Algorithms via ML Predictions", NeurIPS 2018, deterministic algorithm). With
// trust lambda in (0, 1], break-even time b and predicted gap y (GapPredictor::predict, the one
// `adaptive` uses): sleep lambda x b after the last request if y >= b, else b / lambda after it.
// Per gap, in the classic ski-rental model: cost <= (1 + 1/lambda) x OPT whatever the predictions,
// <= (1 + lambda) x OPT when they are exact. No prediction yet: break-even (2 x OPT <= 1 + 1/lambda).
#pragma once

#include <optional>

#include "policy/gap_predictor.hpp"
#include "policy/sleep_scheduler.hpp"

namespace jettison::policy {

// The wait of the rule above, for a prediction (or none), break-even time and trust. lambda x b is
// rounded down and b / lambda too, to whole microseconds; lambda is clamped to [1e-6, 1].
Duration learning_augmented_wait(std::optional<Duration> predicted, Duration break_even, double trust);

class LearningAugmentedSleep final : public SleepScheduler {
 public:
  LearningAugmentedSleep(const SleepParams& params, const SleepCosts& costs);

  void on_period_start(Time t, const Future*) override { gaps_.period_start(t); }
  void on_wake(Time t) override { gaps_.wake(t); }
  void on_request(Time arrival, Time served) override { gaps_.request(arrival, served); }
  void on_sleep(Time t) override { gaps_.sleep(t); }
  Time sleep_at() const override;

  Duration wait() const { return learning_augmented_wait(gaps_.predictor().predict(), break_even_, trust_); }

 private:
  Duration break_even_;
  double trust_;
  IdleGapTracker gaps_;
};

}  // namespace jettison::policy
