// `idle-time`: migrate every time the desktop has been idle for migrate_after.
#pragma once

#include "policy/migration_trigger.hpp"

namespace jettison::policy {

class IdleTimeTrigger final : public MigrationTrigger {
 public:
  TriggerAction decide(Duration) override { return TriggerAction::kMigrate; }
  void on_period_end(Duration) override {}
};

}  // namespace jettison::policy
