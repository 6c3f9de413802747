// How a job over ranks ends when something goes wrong: rank 0 reports for everyone (one message
// naming the rank that failed), the others end quietly with the same exit code.
//
// Test hooks: JETTISON_TEST_FAIL_RANK=<rank> makes that rank throw as it starts its first piece of
// work; JETTISON_TEST_KILL_RANK=<rank> makes it kill itself (SIGKILL), as a crash would.
#pragma once

#include <stdexcept>
#include <string>

namespace jettison::sim::mpi {

// Thrown on a rank other than 0 to end the process with `code` and no message of its own.
struct QuietExit {
  int code = 1;
};

// Thrown by work that saw rank 0's request to stop (another rank failed).
struct Stopped {};

// The job failed on one or more ranks; what() names them. `code` is the exit code (2: bad input).
class RankFailure : public std::runtime_error {
 public:
  RankFailure(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// The test hooks above, for `rank`.
void fail_if_asked(int rank);

}  // namespace jettison::sim::mpi
