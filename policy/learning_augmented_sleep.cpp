#include "policy/learning_augmented_sleep.hpp"

#include <algorithm>
#include <cmath>

namespace jettison::policy {
namespace {

// d x k rounded down to whole microseconds, Duration::max() when that does not fit.
Duration scaled_down(Duration d, double k) {
  const double us = std::floor(static_cast<double>(d.us()) * k);
  if (us >= static_cast<double>(Duration::max().us())) return Duration::max();
  return Duration::micros(static_cast<std::int64_t>(us));
}

}  // namespace

Duration learning_augmented_wait(std::optional<Duration> predicted, Duration break_even, double trust) {
  if (break_even >= Duration::max()) return Duration::max();  // sleeping never pays
  if (!predicted) return break_even;
  const double lambda = std::isnan(trust) ? 1.0 : std::clamp(trust, 1e-6, 1.0);
  if (*predicted >= break_even) return scaled_down(break_even, lambda);
  return scaled_down(break_even, 1.0 / lambda);
}

LearningAugmentedSleep::LearningAugmentedSleep(const SleepParams& params, const SleepCosts& costs)
    : break_even_(costs.break_even()),
      trust_(params.trust),
      gaps_(params.history, costs.break_even(), costs.wake) {}

Time LearningAugmentedSleep::sleep_at() const {
  const Duration w = wait();
  if (w >= Duration::max()) return Time::never();
  return gaps_.last_idle() + w;
}

}  // namespace jettison::policy
