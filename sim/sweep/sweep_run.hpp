// Runs a sweep: checks every point's scenario first (nothing runs if one is bad), then runs the
// points in parallel, `threads` at once, each point's strategies one after another on its thread,
// each writing its usual outputs into out/points/<folder>; then sweep.csv and sweep.json. All of it
// is staged and appears in `out` only when every point succeeded.
#pragma once

#include <cstddef>
#include <filesystem>

#include "sim/sweep/sweep_input.hpp"

namespace jettison::sim {

struct SweepOptions {
  std::filesystem::path out;
  unsigned threads = 0;   // points at once; 0: one per core
  bool progress = false;  // progress bar on stderr
};

struct SweepReport {
  std::size_t points = 0;
  std::size_t rows = 0;  // of sweep.csv
  unsigned threads = 0;
  double wall_seconds = 0;
};

SweepReport run_sweep(const SweepInput& in, const SweepOptions& options);

}  // namespace jettison::sim
