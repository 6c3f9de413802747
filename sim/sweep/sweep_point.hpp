// One point of a sweep: its scenario run with its usual outputs in a folder of its own, its
// strategies' figures, and partial's figures under the oracle sleep rule (sweep.csv's bound).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "sim/sweep/sweep_input.hpp"
#include "sim/sweep/sweep_result.hpp"

namespace jettison::sim {

// "points/007-policy.sleep.timeout=30s": where point `point` goes, relative to the sweep's folder.
std::string point_path(const Grid& grid, std::size_t point);

// Runs `point` on one thread, writing its outputs into `out` (created; it must not exist or be an
// earlier output). Errors other than bad input name the point.
SweepPointResult run_point(const SweepInput& in, std::size_t point, const std::filesystem::path& out);

}  // namespace jettison::sim
