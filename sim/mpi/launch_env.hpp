// Whether this process was started by an MPI launcher (mpirun, mpiexec, srun), read from the
// variables launchers set: OMPI_COMM_WORLD_SIZE (Open MPI's mpirun), PMIX_RANK (PMIx: Open MPI, srun
// --mpi=pmix), PMI_RANK / PMI_SIZE (MPICH's Hydra, srun --mpi=pmi2). A plain `jettison-sim` sees none
// of them and never initialises MPI (no singleton start-up, no MPI library needed at run time).
#pragma once

#include <functional>
#include <string>

namespace jettison::sim::mpi {

struct LaunchEnv {
  bool launched = false;  // a launcher variable is set
  std::string variable;   // the first one found, for messages ("OMPI_COMM_WORLD_SIZE=2")
  int rank = 0;           // from the launcher's variables when they give it, else 0
  int size = 0;           // from the launcher's variables when they give it, else 0 (unknown)
};

using GetEnv = std::function<const char*(const char*)>;

// Reads the launcher variables through `getenv` (the process environment by default).
LaunchEnv detect_launch(const GetEnv& getenv = {});

}  // namespace jettison::sim::mpi
