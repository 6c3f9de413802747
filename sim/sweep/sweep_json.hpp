// sweep.json: the scenario, the --set overrides, the grid (keys and values in order) and every
// point with its values and folder (with replicates: "replicates" after the grid, and each point's
// replicate and seed); wall times are the only figures that vary between runs. A
// sweep spread over MPI ranks adds "ranks" (how many) after "threads" (per rank).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/sweep/sweep_input.hpp"
#include "sim/sweep/sweep_result.hpp"

namespace jettison::sim {

nlohmann::ordered_json make_sweep_json(const Scenario& base, const SweepInput& in,
                                       const std::vector<SweepPointResult>& points, unsigned threads,
                                       double wall_seconds, unsigned ranks = 1);

}  // namespace jettison::sim
