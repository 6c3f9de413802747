#include "policy/sleep_schedulers.hpp"

#include "policy/timeout_sleep.hpp"

namespace jettison::policy {

const SleepRegistry& sleep_schedulers() {
  static const SleepRegistry registry = [] {
    SleepRegistry r;
    r.add("timeout", "stay awake policy.sleep.timeout after the last page request, then suspend",
          [](const SleepParams& p, const SleepCosts&) -> std::unique_ptr<SleepScheduler> {
            return std::make_unique<TimeoutSleep>(p.timeout);
          });
    return r;
  }();
  return registry;
}

}  // namespace jettison::policy
