// A working rank's side (not rank 0) of a job's work phase: it checks for rank 0's request to stop
// between pieces of work, sends its items under one lock per item (so items sent from several
// threads do not interleave), reports how its share ended and takes rank 0's verdict.
#pragma once

#include <exception>
#include <mutex>

#include "sim/mpi/communicator.hpp"
#include "sim/mpi/job_message.hpp"

namespace jettison::sim::mpi {

class WorkerLink {
 public:
  explicit WorkerLink(Communicator& comm) : comm_(comm) {}

  // Throws Stopped once rank 0 asked this rank to stop (another rank failed).
  void throw_if_stopped();

  // Hold while sending the messages of one item.
  std::unique_lock<std::mutex> item_lock() { return std::unique_lock(item_mu_); }
  Communicator& comm() { return comm_; }

  // Reports the end of this rank's share to rank 0 (`error`: what it threw, if anything; Stopped
  // counts as stopped, InputError as bad input), waits for the job's exit code and returns it.
  int report_and_wait(const std::exception_ptr& error);

 private:
  Communicator& comm_;
  std::mutex item_mu_;
  std::mutex poll_mu_;
  bool stopped_ = false;
};

}  // namespace jettison::sim::mpi
