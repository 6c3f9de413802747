// A private scratch folder of a rank (under $TMPDIR or /tmp, "jettison-rank<k>-<pid>-XXXXXX"), removed
// with everything in it when dropped, or on SIGTERM (termination_cleanup.hpp). Creating one also
// removes those of processes that are gone (a rank killed outright cannot clean up).
#pragma once

#include <filesystem>
#include <optional>

#include "sim/mpi/termination_cleanup.hpp"

namespace jettison::sim::mpi {

class WorkFolder {
 public:
  explicit WorkFolder(int rank);
  ~WorkFolder();
  WorkFolder(const WorkFolder&) = delete;
  WorkFolder& operator=(const WorkFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::optional<TerminationCleanup::Guard> guard_;
};

}  // namespace jettison::sim::mpi
