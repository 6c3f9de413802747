#include "policy/sleep_scheduler.hpp"

namespace jettison::policy {

Energy SleepCosts::cycle_energy() const {
  const Energy spent = suspending * suspend + resuming * wake;
  const Energy asleep_instead = asleep * (suspend + wake);
  return spent - asleep_instead;
}

Duration SleepCosts::break_even() const {
  const Power saving = serving - asleep;
  if (saving.watts() <= 0) return Duration::max();  // sleeping never pays
  const Energy cycle = cycle_energy();
  if (cycle.joules() <= 0) return Duration{};
  return cycle / saving;
}

}  // namespace jettison::policy
