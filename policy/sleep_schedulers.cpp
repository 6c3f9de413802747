#include "policy/sleep_schedulers.hpp"

#include "policy/adaptive_sleep.hpp"
#include "policy/break_even_sleep.hpp"
#include "policy/learning_augmented_sleep.hpp"
#include "policy/oracle_sleep.hpp"
#include "policy/timeout_sleep.hpp"

namespace jettison::policy {

const SleepRegistry& sleep_schedulers() {
  static const SleepRegistry registry = [] {
    SleepRegistry r;
    r.add("timeout", "stay awake policy.sleep.timeout after the last page request, then suspend",
          [](const SleepParams& p, const SleepCosts&) -> std::unique_ptr<SleepScheduler> {
            return std::make_unique<TimeoutSleep>(p.timeout);
          });
    r.add("break-even",
          "stay awake the break-even time (suspend+wake cycle energy / (serving - asleep power)) after the "
          "last page request, then suspend: 2-competitive ski rental",
          [](const SleepParams&, const SleepCosts& c) -> std::unique_ptr<SleepScheduler> {
            return std::make_unique<BreakEvenSleep>(c);
          });
    r.add("adaptive",
          "predict the next gap from the last policy.sleep.history gaps (median); suspend at once when it "
          "exceeds the break-even time, else stay until the predicted request plus a margin",
          [](const SleepParams& p, const SleepCosts& c) -> std::unique_ptr<SleepScheduler> {
            return std::make_unique<AdaptiveSleep>(p, c);
          });
    r.add(
        "learning-augmented",
        "ski rental with predictions (trust lambda = policy.sleep.trust): suspend lambda x break-even after "
        "the last request if the predicted gap is long, else break-even / lambda; <= (1 + 1/lambda) x OPT",
        [](const SleepParams& p, const SleepCosts& c) -> std::unique_ptr<SleepScheduler> {
          return std::make_unique<LearningAugmentedSleep>(p, c);
        });
    r.add("oracle",
          "offline: knows the period's request times and the user's return; optimal among rules that per gap "
          "sleep at once or stay up (dynamic programming), not a lower bound in every cost regime: only when "
          "suspending draws at least serving and a full resume from awake is no longer than from sleep "
          "(policy/SLEEP.md)",
          [](const SleepParams&, const SleepCosts& c) -> std::unique_ptr<SleepScheduler> {
            return std::make_unique<OracleSleep>(c);
          });
    return r;
  }();
  return registry;
}

}  // namespace jettison::policy
