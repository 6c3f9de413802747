// `predicted`: migrate only when the predicted rest of the idle period pays for the migration.
//
// Predictor: the desktop's own recent idle periods (the last `history` of them). Having been idle
// for A, the periods that lasted longer than A are the ones this period may turn out like; the
// prediction of the rest is the (1 - confidence) quantile of (L - A) over them (lower nearest rank;
// confidence 0.5 is the median). The trigger migrates when that rest is at least
// TriggerCosts::pays_after() (the overhead of migrating, suspending, resuming and reintegrating over
// the power saved while migrated), i.e. when at least `confidence` of the similar past periods would
// have paid for it, and falls back to `otherwise` (sleep-only or stay on) when not, or when no
// remembered period lasted longer than A. Until it has `min_samples` periods it migrates (no
// evidence against it).
#pragma once

#include <deque>
#include <optional>

#include "policy/migration_trigger.hpp"

namespace jettison::policy {

class PredictedTrigger final : public MigrationTrigger {
 public:
  PredictedTrigger(const TriggerParams& params, const TriggerCosts& costs) : params_(params), costs_(costs) {}
  TriggerAction decide(Duration idle_so_far) override;
  void on_period_end(Duration length) override;
  // The predicted rest of the period after `idle_so_far`; nothing when no remembered period lasted longer.
  std::optional<Duration> predict_rest(Duration idle_so_far) const;

 private:
  TriggerParams params_;
  TriggerCosts costs_;
  std::deque<Duration> lengths_;
};

}  // namespace jettison::policy
