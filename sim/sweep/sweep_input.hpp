// What a sweep runs: a scenario (file, or kDefaultScenario), its --set overrides, and the grid; and
// loading the scenario of one point of it. Errors a grid value causes name the --grid flag; others
// name the point.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/sweep/grid.hpp"

namespace jettison::sim {

struct SweepInput {
  std::string scenario;
  std::vector<std::string> sets;
  Grid grid;
};

// The scenario of `point`: the --set overrides, then the grid's. Throws InputError.
Scenario load_point(const SweepInput& in, std::size_t point);

// Loads the scenario with the --set overrides alone, then every point's (on `threads` threads),
// so that a bad key or value stops the sweep before anything runs; `checked` is called after each
// point (from any thread). Returns the former.
Scenario check_sweep(const SweepInput& in, unsigned threads, const std::function<void()>& checked = {});

// "policy.sleep.timeout=30s, desktops.count=3": the grid values of `point`, for messages.
std::string describe_point(const Grid& grid, std::size_t point);

}  // namespace jettison::sim
