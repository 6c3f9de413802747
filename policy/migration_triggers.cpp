#include "policy/migration_triggers.hpp"

#include "policy/idle_time_trigger.hpp"
#include "policy/predicted_trigger.hpp"

namespace jettison::policy {

const TriggerRegistry& migration_triggers() {
  static const TriggerRegistry registry = [] {
    TriggerRegistry r;
    r.add_inert("idle-time", "migrate whenever the desktop has been idle for migration.migrate_after",
          [](const TriggerParams&, const TriggerCosts&) -> std::unique_ptr<MigrationTrigger> {
            return std::make_unique<IdleTimeTrigger>();
          });
    r.add("predicted",
          "migrate only when the median rest of this desktop's past periods that lasted as long pays "
          "for the migration; otherwise policy.trigger.otherwise",
          [](const TriggerParams& p, const TriggerCosts& c) -> std::unique_ptr<MigrationTrigger> {
            return std::make_unique<PredictedTrigger>(p, c);
          });
    return r;
  }();
  return registry;
}

}  // namespace jettison::policy
