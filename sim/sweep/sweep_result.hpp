// What a sweep's points gave: per point, its folder and each strategy's figures.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sim/output/strategy_figures.hpp"

namespace jettison::sim {

struct SweepPointResult {
  std::string folder;  // relative to the sweep's output folder: "points/000-key=value"
  std::vector<std::pair<std::string, StrategyFigures>> strategies;  // in the point's order
  double wall_seconds = 0;
};

}  // namespace jettison::sim
