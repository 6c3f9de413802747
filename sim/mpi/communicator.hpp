// The ranks of an MPI job as the simulator uses them: point-to-point byte messages, polled rather
// than waited for (a blocking MPI receive spins a core; polling with a short sleep does not), and
// an abort that ends every rank. One implementation talks to MPI (mpi_world.cpp, built when CMake
// finds MPI); a build without MPI has none, and open_world() says so.
//
// Thread safety: every call may come from any thread; calls are serialised inside (the world asks
// MPI for MPI_THREAD_SERIALIZED). Messages from one rank to another arrive in the order sent; a
// caller that sends a sequence from several threads must hold its own lock around the sequence.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/mpi/launch_env.hpp"

namespace jettison::sim::mpi {

using Bytes = std::vector<std::byte>;

struct Message {
  int source = -1;
  Bytes bytes;
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Ranks of this job on this host (for the default thread count: the host's cores shared out).
  virtual int ranks_on_this_host() const = 0;

  // Sends `bytes` (at most kMaxMessageBytes) to rank `dest`; returns once the buffer may be reused.
  virtual void send(int dest, const Bytes& bytes) = 0;
  // The next message that has arrived (from any rank when `source` < 0), or nothing.
  virtual std::optional<Message> poll(int source = -1) = 0;
  // Waits for the next message (from any rank when `source` < 0), polling every millisecond or so.
  Message receive(int source = -1);

  // Ends every rank of the job at once with `code` (MPI_Abort): for when no orderly end is possible.
  [[noreturn]] virtual void abort(int code) = 0;
};

inline constexpr std::size_t kMaxMessageBytes = std::size_t{1} << 30;

// True when this binary was built with MPI.
bool mpi_available();

// Initialises MPI (once per process) and returns the world; MPI is finalised when it is destroyed.
// Call only when `launch.launched`. Throws std::runtime_error when this binary has no MPI.
std::unique_ptr<Communicator> open_world(const LaunchEnv& launch);

}  // namespace jettison::sim::mpi
