// A sweep spread over the ranks of an MPI job (`mpirun -np N jettison-sim sweep ...`). Point p runs
// on rank p mod N (a fixed, deterministic assignment), `threads` points at once on each rank. Every
// rank checks the whole sweep first; rank 0 stages the output folder. The other ranks run their
// points in a scratch folder of their own and send each point's figures and files to rank 0, which
// writes them where a one-process sweep would, then sweep.csv and sweep.json: the same bytes as a
// one-process sweep but for wall times (wall_seconds in sweep.json and in each point's
// summary.json) and the "ranks" key of sweep.json. No shared file system is needed, but every host
// must see the scenario and its traces at the same paths.
//
// A rank that fails makes rank 0 ask the others to stop after the points in hand; once all have
// stopped, rank 0 drops the staging folder and reports each failed rank (RankFailure); the others
// end with QuietExit. A rank that dies is the launcher's to report: mpirun ends the other ranks.
#pragma once

#include "sim/mpi/communicator.hpp"
#include "sim/sweep/sweep_run.hpp"

namespace jettison::sim {

SweepReport run_sweep_on_ranks(const SweepInput& in, const SweepOptions& options, mpi::Communicator& comm);

}  // namespace jettison::sim
