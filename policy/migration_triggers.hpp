// The registry of migration triggers, by the name a scenario uses in policy.trigger.rule.
#pragma once

#include <memory>

#include "common/registry.hpp"
#include "policy/migration_trigger.hpp"

namespace jettison::policy {

using TriggerRegistry =
    Registry<std::unique_ptr<MigrationTrigger>, const TriggerParams&, const TriggerCosts&>;

const TriggerRegistry& migration_triggers();

}  // namespace jettison::policy
