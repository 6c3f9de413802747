// Whether to migrate a desktop's VM once it has been idle for migrate_after. The interface every
// migration trigger implements. Pure: the caller says how long the desktop has been idle and, at the
// end of each period, how long the period was.
#pragma once

#include <cstdint>
#include <memory>

#include "common/quantity.hpp"
#include "common/time.hpp"

namespace jettison::policy {

enum class TriggerAction { kMigrate, kSleepOnly, kStayOn };

// What acting costs and saves, for triggers that weigh the rest of the period against it.
struct TriggerCosts {
  Energy overhead;  // migrating, suspending, resuming and reintegrating, above sleeping through that time
  Power saving;     // idle power minus asleep power: what each second of the rest saves once migrated
  // The rest of the idle period that pays for the overhead.
  Duration pays_after() const {
    if (saving.watts() <= 0) return Duration::max();
    if (overhead.joules() <= 0) return Duration{};
    return overhead / saving;
  }
};

struct TriggerParams {
  TriggerAction otherwise = TriggerAction::kSleepOnly;  // when the trigger says no
  std::uint32_t history = 50;                           // `predicted`: past periods remembered
  std::uint32_t min_samples = 5;                        // `predicted`: migrate until it has this many
  double confidence = 0.5;  // `predicted`: share of the similar past periods whose rest must pay
};

class MigrationTrigger {
 public:
  virtual ~MigrationTrigger() = default;
  // The desktop has been idle for `idle_so_far` (= migrate_after): migrate, or the fallback.
  virtual TriggerAction decide(Duration idle_so_far) = 0;
  // An idle period of this desktop ended after `length`.
  virtual void on_period_end(Duration length) = 0;
};

}  // namespace jettison::policy
