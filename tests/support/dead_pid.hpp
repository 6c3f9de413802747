// The pid of a process that has exited and been reaped: for tests of clean-up that tells live
// owners from dead ones (kill(pid, 0) gives ESRCH for it, unless the pid is reused meanwhile).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

namespace jettison::testing {

inline pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

}  // namespace jettison::testing
