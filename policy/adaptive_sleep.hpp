// `adaptive`: predicts the gap to the next page request from the gaps seen so far (GapPredictor:
// the median of the recent gaps, and the median of the remembered gaps longer than the time already
// waited) and sleeps at once when the predicted gap exceeds the break-even time; otherwise it stays
// awake until the predicted arrival plus a margin, predicts again given that the gap has lasted
// that long, and falls back to break-even when no remembered gap is that long. No history: break-even.
// History persists across idle periods. policy/SLEEP.md has the rule in full.
#pragma once

#include "policy/gap_predictor.hpp"
#include "policy/sleep_scheduler.hpp"

namespace jettison::policy {

class AdaptiveSleep final : public SleepScheduler {
 public:
  AdaptiveSleep(const SleepParams& params, const SleepCosts& costs);

  void on_period_start(Time t, const Future*) override { gaps_.period_start(t); }
  void on_wake(Time t) override { gaps_.wake(t); }
  void on_request(Time arrival, Time served) override { gaps_.request(arrival, served); }
  void on_sleep(Time t) override { gaps_.sleep(t); }
  Time sleep_at() const override;

  // How long after the last idle start to stay awake (Duration::max(): stay up).
  Duration wait() const;
  // The margin past a predicted arrival: a quarter of the predicted gap (background activity
  // jitters by about +-20% of its period), at least 1 ms.
  static Duration margin(Duration predicted);

 private:
  Duration break_even_;
  IdleGapTracker gaps_;
};

}  // namespace jettison::policy
