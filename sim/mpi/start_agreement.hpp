// Before a job's work starts, every rank has checked its input (the scenario, the grid, the output
// folder on rank 0): either all go, or none does and rank 0 reports why. Ranks must also agree on
// what they run: each gives a fingerprint (e.g. "12 points") that must equal rank 0's, since
// every host reads the scenario and traces from its own file system.
#pragma once

#include <string>

#include "sim/mpi/communicator.hpp"

namespace jettison::sim::mpi {

struct RankStatus {
  int exit_code = 0;        // 0: ready; 2: bad input; 1: another error
  std::string message;      // why not ready
  std::string fingerprint;  // what this rank is about to run
};

// Every rank calls it. Returns when all are ready; otherwise throws, on rank 0 a RankFailure naming
// the first rank that is not ready (rank 0's own message as it is, others' as "rank k: ..."), on
// the other ranks QuietExit.
void agree_to_start(Communicator& comm, const RankStatus& mine);

}  // namespace jettison::sim::mpi
