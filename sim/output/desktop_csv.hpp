// desktops.csv: one row per desktop x strategy.
#pragma once

#include <ostream>
#include <vector>

#include "sim/metrics/strategy_result.hpp"
#include "sim/scenario/scenario.hpp"

namespace jettison::sim {

void write_desktops_csv(std::ostream& out, const Scenario& s, const std::vector<StrategyResult>& results);

}  // namespace jettison::sim
