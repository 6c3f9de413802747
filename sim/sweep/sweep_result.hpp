// What a sweep's points gave: per point, its folder and each strategy's figures.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/output/strategy_figures.hpp"

namespace jettison::sim {

struct SweepPointResult {
  std::string folder;  // relative to the sweep's output folder: "points/000-key=value"
  std::vector<std::pair<std::string, StrategyFigures>> strategies;  // in the point's order
  // `partial` on the same traces with the offline-optimal sleep scheduler (the `oracle`), when the
  // point runs partial with another rule: the bound each point is compared with.
  std::optional<StrategyFigures> partial_oracle;
  double wall_seconds = 0;
};

}  // namespace jettison::sim
