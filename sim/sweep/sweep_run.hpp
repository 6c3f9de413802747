// Runs a sweep: checks every point's scenario first (nothing runs if one is bad), then runs the
// points in parallel, `threads` at once, each point's strategies one after another on its thread,
// each writing its usual outputs into out/points/<folder>; then sweep.csv and sweep.json. All of it
// is staged and appears in `out` only when every point succeeded.
//
// Under MPI (`world` with more than one rank) the points are spread over the ranks instead
// (distributed_sweep.hpp) and the outputs are the same files, byte for byte but for wall times.
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "sim/sweep/sweep_input.hpp"
#include "sim/sweep/sweep_result.hpp"

namespace jettison::sim {

namespace mpi {
class Communicator;
}
class StagedOutput;

struct SweepOptions {
  std::filesystem::path out;
  unsigned threads = 0;   // points at once (per rank under MPI); 0: one per core (shared by a host's ranks)
  bool progress = false;  // progress bar on stderr
  mpi::Communicator* world = nullptr;  // the MPI job this process is a rank of, if any
};

struct SweepReport {
  std::size_t points = 0;
  std::size_t rows = 0;  // of sweep.csv
  unsigned threads = 0;  // per rank
  unsigned ranks = 1;
  double wall_seconds = 0;
};

SweepReport run_sweep(const SweepInput& in, const SweepOptions& options);

// sweep.csv and sweep.json into `staged`, from every point's results in point order.
void write_sweep_files(const StagedOutput& staged, const Scenario& base, const SweepInput& in,
                       const std::vector<SweepPointResult>& results, const SweepReport& report);

}  // namespace jettison::sim
