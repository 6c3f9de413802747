#include "sim/strategy/strategies.hpp"

#include "sim/strategy/always_on.hpp"
#include "sim/strategy/full_migration.hpp"
#include "sim/strategy/partial_migration.hpp"
#include "sim/strategy/sleep_only.hpp"

namespace jettison::sim {

const StrategyRegistry& strategies() {
  static const StrategyRegistry registry = [] {
    StrategyRegistry r;
    r.add("always-on", "the desktop stays on through idle periods (the baseline)",
          [] { return std::unique_ptr<Strategy>(std::make_unique<AlwaysOn>()); });
    r.add("sleep-only", "the desktop sleeps when idle; the VM loses network presence",
          [] { return std::unique_ptr<Strategy>(std::make_unique<SleepOnly>()); });
    r.add("full", "the whole VM moves to the server by pre-copy; the desktop sleeps until the user returns",
          [] { return std::unique_ptr<Strategy>(std::make_unique<FullMigration>()); });
    r.add("partial", "metadata moves; pages are fetched on demand from the desktop, woken as needed",
          [] { return std::unique_ptr<Strategy>(std::make_unique<PartialMigration>()); });
    return r;
  }();
  return registry;
}

}  // namespace jettison::sim
