// desktops.csv: one row per desktop x strategy.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "sim/metrics/strategy_result.hpp"
#include "sim/scenario/scenario.hpp"

namespace jettison::sim {

// The header line (with its newline).
std::string desktops_header();
// One strategy's rows, in the scenario's order of desktops.
void write_desktop_rows(std::ostream& out, const Scenario& s, const StrategyResult& r);
// The header and every strategy's rows.
void write_desktops_csv(std::ostream& out, const Scenario& s, const std::vector<StrategyResult>& results);

}  // namespace jettison::sim
