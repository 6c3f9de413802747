// `break-even`: stay awake the break-even time after the last page request (or wake, or the period's
// start), then sleep. Ski rental's deterministic rule: renting is staying awake at serving - asleep
// power, buying is one suspend + wake cycle (SleepCosts::cycle_energy); waiting exactly
// buy / rent = SleepCosts::break_even() costs at most twice the optimum for every gap.
#pragma once

#include "policy/sleep_scheduler.hpp"

namespace jettison::policy {

class BreakEvenSleep final : public SleepScheduler {
 public:
  explicit BreakEvenSleep(const SleepCosts& costs) : break_even_(costs.break_even()) {}

  void on_period_start(Time t, const Future*) override { last_ = t; }
  void on_wake(Time t) override { last_ = max(last_, t); }
  void on_request(Time, Time served) override { last_ = max(last_, served); }
  void on_sleep(Time) override {}
  Time sleep_at() const override {
    if (break_even_ >= Duration::max()) return Time::never();  // sleeping never pays
    return last_ + break_even_;
  }

  Duration wait() const { return break_even_; }

 private:
  Duration break_even_;
  Time last_;
};

}  // namespace jettison::policy
