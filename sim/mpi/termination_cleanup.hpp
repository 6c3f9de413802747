// When one rank of an MPI job dies, the launcher ends the others with SIGTERM. So that a rank does
// not leave its staging or scratch folder behind, install() (once, in a process started by a
// launcher) catches SIGTERM: a watcher thread removes the folders registered at that moment, says
// so on stderr and ends the process (exit code 143, as the signal would). A killed process (SIGKILL)
// can clean nothing: its staging is removed by the next run on the same output (stale_staging.hpp),
// its scratch folder (jettison-rank<k>-XXXXXX in $TMPDIR) stays.
//
// Process-wide by nature (signals are): the registry is the one global of sim/mpi/.
#pragma once

#include <filesystem>

namespace jettison::sim::mpi {

class TerminationCleanup {
 public:
  // Catches SIGTERM from now on; `rank` names the process in the message.
  static void install(int rank);

  // Removes `folder` on SIGTERM while the guard lives; with `staging_of`, the staging folders this
  // process made for the output folder `folder` instead ("<folder>.staging-<pid>-*": a run that
  // stages its output itself, sim/output/staged_output.hpp).
  class Guard {
   public:
    explicit Guard(std::filesystem::path folder, bool staging_of = false);
    ~Guard();
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    std::filesystem::path folder_;
    bool staging_of_;
  };
};

}  // namespace jettison::sim::mpi
