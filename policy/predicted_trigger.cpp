#include "policy/predicted_trigger.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

namespace jettison::policy {

std::optional<Duration> PredictedTrigger::predict_rest(Duration idle_so_far) const {
  std::vector<std::int64_t> rest;
  for (Duration l : lengths_)
    if (l > idle_so_far) rest.push_back((l - idle_so_far).us());
  if (rest.empty()) return std::nullopt;
  // Lower nearest rank of the (1 - confidence) quantile: confidence 0.5 gives the lower median.
  const double q = 1.0 - params_.confidence;
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(rest.size())));
  if (rank > 0) --rank;
  const auto at = rest.begin() + static_cast<std::ptrdiff_t>(std::min(rank, rest.size() - 1));
  std::nth_element(rest.begin(), at, rest.end());
  return Duration::micros(*at);
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
