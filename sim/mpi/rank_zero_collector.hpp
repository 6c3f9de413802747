// Rank 0's side of a job's work phase. Rank 0 does its own share on a thread of its own while its
// main thread receives what the other ranks send (their items, handed to the job's handler, e.g. a
// point's results and files written into the staging folder). When any rank fails (its own share
// included), every rank is asked to stop after the work in hand (kStop), rank 0 waits until all
// have stopped, and run() returns the failures: nothing is left half-written by a rank still busy.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "sim/mpi/byte_codec.hpp"
#include "sim/mpi/communicator.hpp"
#include "sim/mpi/job_message.hpp"
#include "sim/mpi/rank_failure.hpp"

namespace jettison::sim::mpi {

struct Failure {
  int rank = 0;
  int exit_code = 1;  // 2: bad input
  std::string message;
};

class RankZeroCollector {
 public:
  // `handler` gets every message of another rank but the job's own bookkeeping (kDone, kFailed,
  // kStopped): its kind, the payload after it and the whole message. After a failure, no more.
  using Handler = std::function<void(int source, Kind kind, Decoder& payload, const Bytes& message)>;
  RankZeroCollector(Communicator& comm, Handler handler) : comm_(comm), handler_(std::move(handler)) {}

  // Runs `own_share(stop)` on a thread while collecting until every rank has reported; `own_share`
  // should return (or throw Stopped) once `stop` is set. Returns the failures, by rank.
  std::vector<Failure> run(const std::function<void(const std::atomic<bool>& stop)>& own_share);

  // Tells every other rank the job's exit code (kFinish), so they end with it.
  void finish(int code);

 private:
  Communicator& comm_;
  Handler handler_;
};

// The failures as one message: "rank 1: ...; rank 2: ..." (one line each), and the exit code (2 only
// when every failure is bad input).
RankFailure describe(const std::vector<Failure>& failures);

}  // namespace jettison::sim::mpi
