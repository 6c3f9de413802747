#include "policy/predicted_trigger.hpp"

#include <algorithm>
#include <optional>
#include <vector>

namespace jettison::policy {

std::optional<Duration> PredictedTrigger::predict_rest(Duration idle_so_far) const {
  std::vector<std::int64_t> rest;
  for (Duration l : lengths_)
    if (l > idle_so_far) rest.push_back((l - idle_so_far).us());
  if (rest.empty()) return std::nullopt;
  const auto mid = rest.begin() + static_cast<std::ptrdiff_t>((rest.size() - 1) / 2);  // lower median
  std::nth_element(rest.begin(), mid, rest.end());
  return Duration::micros(*mid);
}

TriggerAction PredictedTrigger::decide(Duration idle_so_far) {
  if (lengths_.size() < params_.min_samples) return TriggerAction::kMigrate;
  const auto rest = predict_rest(idle_so_far);
  if (rest && *rest >= costs_.pays_after()) return TriggerAction::kMigrate;
  return params_.otherwise;
}

void PredictedTrigger::on_period_end(Duration length) {
  lengths_.push_back(length);
  while (lengths_.size() > params_.history) lengths_.pop_front();
}

}  // namespace jettison::policy
