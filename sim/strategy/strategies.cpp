#include "sim/strategy/strategies.hpp"

#include "sim/scenario/strategy_kinds.hpp"
#include "sim/strategy/always_on.hpp"
#include "sim/strategy/full_migration.hpp"
#include "sim/strategy/hybrid_migration.hpp"
#include "sim/strategy/partial_migration.hpp"
#include "sim/strategy/proxy_strategy.hpp"
#include "sim/strategy/sleep_only.hpp"

namespace jettison::sim {
namespace {

std::unique_ptr<Strategy> make_strategy(StrategyKind kind) {
  switch (kind) {
    case StrategyKind::kAlwaysOn:
      return std::make_unique<AlwaysOn>();
    case StrategyKind::kSleepOnly:
      return std::make_unique<SleepOnly>();
    case StrategyKind::kFull:
      return std::make_unique<FullMigration>();
    case StrategyKind::kPartial:
      return std::make_unique<PartialMigration>();
    case StrategyKind::kProxy:
      return std::make_unique<ProxyStrategy>();
    case StrategyKind::kHybrid:
      return std::make_unique<HybridMigration>();
  }
  return nullptr;  // unreachable: the switch covers every kind (-Wswitch)
}

}  // namespace

// One entry per kind the scenario loader accepts, in its order and with its descriptions.
const StrategyRegistry& strategies() {
  static const StrategyRegistry registry = [] {
    StrategyRegistry r;
    for (const StrategyKindRegistry::Entry& e : strategy_kinds().entries()) {
      const StrategyKind kind = e.make();
      r.add(e.name, e.description, [kind] { return make_strategy(kind); });
    }
    return r;
  }();
  return registry;
}

}  // namespace jettison::sim
