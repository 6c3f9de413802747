// An output file that appears whole or not at all: written to a hidden temporary file in the target's
// folder and renamed over the target by commit(). Dropped without commit() (an error, an exception),
// it removes the temporary file and any folder it had to create, so a failed command leaves nothing
// half-written behind and an older target untouched. The file and its folder are synced to disk
// around the rename, and temporary files of the same target left by killed processes are removed.
#pragma once

#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>

namespace jettison::traces {

// Removes ".NAME.tmp-PID-N" files beside `target` (NAME its file name) whose process is gone
// (kill(PID, 0) fails with ESRCH), naming each on stderr. Other names are never touched.
void remove_stale_temp_files(const std::filesystem::path& target);

class AtomicFile {
 public:
  // Creates the target's folder if missing and opens the temporary file. `origin` names the option
  // that gave the path ("--out") in errors (InputError).
  explicit AtomicFile(std::filesystem::path target, std::string origin = "--out");
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ostream& out() { return out_; }
  const std::filesystem::path& target() const { return target_; }

  // Flushes, checks that every write succeeded, and renames the temporary file over the target.
  void commit();

 private:
  void discard() noexcept;

  std::filesystem::path target_;
  std::filesystem::path temp_;
  std::filesystem::path created_dir_;  // the outermost folder this file created, if any
  std::string origin_;
  std::ofstream out_;
  bool committed_ = false;
};

}  // namespace jettison::traces
