// summary.json: the run's figures for machines (schema in README.md).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "sim/metrics/strategy_result.hpp"
#include "sim/scenario/scenario.hpp"

namespace jettison::sim {

nlohmann::ordered_json make_summary(const Scenario& s, const std::vector<StrategyResult>& results,
                                    double wall_seconds);

}  // namespace jettison::sim
