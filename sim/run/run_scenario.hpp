// Runs every strategy of a scenario (in parallel threads, one per strategy up to `threads`) and
// writes the outputs atomically: summary.json, periods.csv, desktops.csv.
#pragma once

#include <filesystem>
#include <vector>

#include "sim/run/strategy_run.hpp"
#include "sim/scenario/scenario.hpp"

namespace jettison::sim {

struct RunOptions {
  std::filesystem::path out;  // empty: write nothing (benchmarks)
  bool progress = false;      // show progress on stderr
  unsigned threads = 0;       // 0: one per core
};

struct RunReport {
  std::vector<StrategyResult> results;  // in the scenario's order of strategies
  std::uint64_t events = 0;
  double wall_seconds = 0;
  std::filesystem::path out;
};

RunReport run_scenario(const Scenario& s, const RunOptions& options);

}  // namespace jettison::sim
