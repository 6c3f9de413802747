// open_world() of a build without MPI (CMake found no MPI library): running under a launcher is refused.
#include <fmt/format.h>

#include <stdexcept>

#include "sim/mpi/communicator.hpp"

namespace jettison::sim::mpi {

bool mpi_available() { return false; }

std::unique_ptr<Communicator> open_world(const LaunchEnv& launch) {
  throw std::runtime_error(fmt::format(
      "started by an MPI launcher ({}), but this jettison-sim was built without MPI, so mpirun is not "
      "supported: install libopenmpi-dev (scripts/lib/deps.sh does), reconfigure and rebuild",
      launch.variable));
}

}  // namespace jettison::sim::mpi
