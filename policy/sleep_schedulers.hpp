// The registry of sleep schedulers, by the name a scenario uses in policy.sleep.rule.
#pragma once

#include <memory>

#include "common/registry.hpp"
#include "policy/sleep_scheduler.hpp"

namespace jettison::policy {

using SleepRegistry = Registry<std::unique_ptr<SleepScheduler>, const SleepParams&, const SleepCosts&>;

const SleepRegistry& sleep_schedulers();

}  // namespace jettison::policy
