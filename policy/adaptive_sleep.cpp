#include "policy/adaptive_sleep.hpp"

namespace jettison::policy {

AdaptiveSleep::AdaptiveSleep(const SleepParams& params, const SleepCosts& costs)
    : break_even_(costs.break_even()), gaps_(params.history, costs.break_even(), costs.wake) {}

Time AdaptiveSleep::sleep_at() const {
  const Duration w = wait();
  if (w >= Duration::max()) return Time::never();
  return gaps_.last_idle() + w;
}

Duration AdaptiveSleep::margin(Duration predicted) {
  return max(Duration::micros(predicted.us() / 4), Duration::millis(1));
}

Duration AdaptiveSleep::wait() const {
  if (break_even_ >= Duration::max()) return Duration::max();  // sleeping never pays
  const GapPredictor& p = gaps_.predictor();
  std::optional<Duration> predicted = p.predict();
  if (!predicted) return break_even_;  // no history yet
  // x: how long the desktop has stayed awake in this plan. Each round moves x past the predicted
  // gap, and predict_beyond(x) only returns remembered gaps longer than x, so the loop ends after at
  // most 2 x history + 1 rounds.
  Duration x{};
  while (predicted) {
    if (*predicted - x > break_even_) return x;  // the rest of the gap is worth sleeping through
    x = *predicted + margin(*predicted);
    predicted = p.predict_beyond(x);
  }
  return max(x, break_even_);  // longer than every remembered gap: break-even
}

}  // namespace jettison::policy
