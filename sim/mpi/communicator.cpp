#include "sim/mpi/communicator.hpp"

#include <chrono>
#include <thread>

namespace jettison::sim::mpi {

Message Communicator::receive(int source) {
  for (auto pause = std::chrono::microseconds(50);;
       pause = std::min(pause * 2, std::chrono::microseconds(2000))) {
    if (auto m = poll(source)) return std::move(*m);
    std::this_thread::sleep_for(pause);
  }
}

}  // namespace jettison::sim::mpi
