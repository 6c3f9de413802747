// `sleep-only`: after migrate_after the desktop suspends and its VM with it (network presence lost);
// on the user's return it resumes fully. No bytes move.
#pragma once

#include "sim/strategy/sleeping_strategy.hpp"

namespace jettison::sim {

class SleepOnly final : public SleepingStrategy {
 public:
  Policies policies() const override { return {false, false, false}; }

 protected:
  void act(Host& host, DesktopRun& d) override {
    d.rec.outcome = Outcome::kSlept;
    begin_suspend(host, d);
  }
  void after_full_resume(Host& host, DesktopRun& d) override { host.finish(d); }
};

}  // namespace jettison::sim
