// sweep.csv: one row per point x strategy: the point's index, its value of each grid key (one
// column per key, named by its path), with replicates its replicate (0..K-1) and seed, the strategy
// and its figures. Deterministic: no wall times.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "sim/sweep/grid.hpp"
#include "sim/sweep/sweep_result.hpp"

namespace jettison::sim {

void write_sweep_csv(std::ostream& out, const Grid& grid, const std::vector<SweepPointResult>& points);

// `text` as one CSV field: quoted when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& text);

}  // namespace jettison::sim
