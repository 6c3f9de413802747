// One run over the ranks of an MPI job (`mpirun -np N jettison-sim run ...`).
//
// Where the scenario's desktops do not interact (sim/run/shard_plan.hpp: dedicated links, per-VM
// server draw, room for every VM), the plan for N shards deals the desktops over the ranks: rank k
// runs shard k of each strategy in turn and sends its items (records and changes, in the canonical
// order, in batches of about a MiB) and its figures to rank 0, which runs shard 0 itself, merges
// every shard's items as the threaded run does (ShardMerger) and writes the outputs: the same bytes
// as a one-process run but for wall_seconds in summary.json. A rank waits for rank 0 to take each
// batch (MPI's rendezvous), so memory stays bounded. Where the desktops interact (a shared link,
// server capacity, a shared server draw), rank 0 runs the whole scenario alone, as one process
// would, the other ranks wait, and rank 0 says why on stderr.
//
// Every rank loads the scenario and checks it before anything runs (start_agreement.hpp). A rank
// that fails: rank 0 stops the others, the staging folder goes, and rank 0 names the rank
// (RankFailure); the others end with QuietExit.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "sim/mpi/communicator.hpp"
#include "sim/run/run_scenario.hpp"

namespace jettison::sim::mpi {

struct RankRun {
  std::optional<Scenario> scenario;  // as loaded (every rank)
  RunReport report;                  // rank 0's; empty on the others
  bool sharded = false;              // the desktops were dealt over the ranks
};

// `load`: the scenario (called on every rank, inside the start check). `out_of`: the output folder
// for it. `options`: threads and progress for rank 0's share (out, shards, sharded_runner are set here).
RankRun run_on_ranks(const std::function<Scenario()>& load,
                     const std::function<std::filesystem::path(const Scenario&)>& out_of, RunOptions options,
                     Communicator& comm);

}  // namespace jettison::sim::mpi
