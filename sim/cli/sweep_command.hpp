// `jettison-sim sweep [SCENARIO.yaml] --grid key.path=v1,v2,... [--grid ...] [--set k=v ...] --out DIR
// [--replicates K] [--threads N] [--quiet]`: the subcommand's flags and what it does.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace jettison::sim {

namespace mpi {
class Communicator;
}

struct SweepArgs {
  std::string scenario;  // empty: the embedded default
  std::vector<std::string> grids;
  std::vector<std::string> sets;
  std::string out;
  std::string replicates;  // empty: none
  unsigned threads = 0;
  bool quiet = false;
};

CLI::App* add_sweep_command(CLI::App& app, SweepArgs& args);

// Returns the exit code; bad input throws InputError (exit 2 in main). Under MPI (`world`), the
// points are spread over the ranks and only rank 0 prints.
int sweep_command(const SweepArgs& args, mpi::Communicator* world = nullptr);

}  // namespace jettison::sim
