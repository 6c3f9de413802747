// `timeout`: stay awake a fixed time after the last page request (or after waking), then sleep.
#pragma once

#include "policy/sleep_scheduler.hpp"

namespace jettison::policy {

class TimeoutSleep final : public SleepScheduler {
 public:
  explicit TimeoutSleep(Duration timeout) : timeout_(timeout) {}

  void on_period_start(Time t, const Future*) override { last_ = t; }
  void on_wake(Time t) override { last_ = max(last_, t); }
  void on_request(Time, Time served) override { last_ = max(last_, served); }
  void on_sleep(Time) override {}
  Time sleep_at() const override { return last_ + timeout_; }

 private:
  Duration timeout_;
  Time last_;
};

}  // namespace jettison::policy
