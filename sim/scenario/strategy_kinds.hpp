// The strategies a scenario may name in `strategies:`, with what each does: the one list the scenario
// loader checks names against. sim/strategy/strategies.cpp builds the registry of strategy objects
// from it (one factory per kind), and `jettison-sim list` prints that registry.
#pragma once

#include <cstdint>

#include "common/registry.hpp"

namespace jettison::sim {

enum class StrategyKind : std::uint8_t { kAlwaysOn, kSleepOnly, kFull, kPartial, kProxy, kHybrid };

using StrategyKindRegistry = Registry<StrategyKind>;

inline const StrategyKindRegistry& strategy_kinds() {
  static const StrategyKindRegistry registry = [] {
    StrategyKindRegistry r;
    r.add("always-on", "the desktop stays on through idle periods (the baseline)",
          [] { return StrategyKind::kAlwaysOn; });
    r.add("sleep-only", "the desktop sleeps when idle; the VM loses network presence",
          [] { return StrategyKind::kSleepOnly; });
    r.add("full", "the whole VM moves to the server by pre-copy; the desktop sleeps until the user returns",
          [] { return StrategyKind::kFull; });
    r.add("partial", "metadata moves; pages are fetched on demand from the desktop, woken as needed",
          [] { return StrategyKind::kPartial; });
    r.add("proxy", "the desktop sleeps; a proxy keeps its network presence and wakes it for traffic",
          [] { return StrategyKind::kProxy; });
    r.add("hybrid",
          "partial first; once the VM has run migration.hybrid.after on the server, the rest of its memory "
          "follows and the desktop sleeps undisturbed",
          [] { return StrategyKind::kHybrid; });
    return r;
  }();
  return registry;
}

}  // namespace jettison::sim
