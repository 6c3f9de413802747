// A run's output folder that appears whole or not at all. Everything is written into a staging
// folder beside it, `<out>.staging-<pid>-<token>` (same parent, so one rename moves it), and commit()
// puts that folder in place in one step (folder_swap.hpp): `<out>` holds the earlier output or the
// new one, never a mix, and nothing exists at `<out>` before the commit. Dropped without commit() (an
// error, an exception), the staging folder and any parent folder created for it go away; staging
// left by a killed process is removed by the next run on the same `<out>` (stale_staging.hpp).
//
// An existing `<out>` is replaced only if it is empty or an earlier output (it holds summary.json or
// sweep.json): any other folder is refused, so a mistyped --out never swaps away a user's files.
//
// Test hook: JETTISON_TEST_PAUSE_BEFORE_COMMIT=<seconds> (at most 600) makes commit() print
// "pausing before commit" on stderr and sleep that long once everything is staged, so a test can
// kill the process at the worst moment.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace jettison::sim {

class StagedOutput {
 public:
  // Checks `out` (InputError naming `origin` if it is a file or a foreign folder), removes stale
  // staging of `out` (each one named on stderr), and creates the staging folder, with `out`'s parent
  // folders if missing.
  explicit StagedOutput(const std::filesystem::path& out, std::string origin = "--out");
  ~StagedOutput();
  StagedOutput(const StagedOutput&) = delete;
  StagedOutput& operator=(const StagedOutput&) = delete;

  // Where to write `name` now; it appears in the output folder at commit().
  std::filesystem::path staged(const std::string& name) const { return staging_ / name; }
  // Where `name` will be once committed.
  std::filesystem::path final_path(const std::string& name) const { return out_ / name; }
  const std::filesystem::path& staging_folder() const { return staging_; }
  // Stale staging folders of dead processes removed by the constructor.
  const std::vector<std::filesystem::path>& removed_stale() const { return removed_stale_; }

  // Syncs the staged files to disk, puts the staging folder at `out` in one rename, syncs the parent
  // folder, then deletes the earlier output (if any).
  void commit();

 private:
  std::filesystem::path out_;                         // absolute, without a trailing separator
  std::filesystem::path staging_;                     // beside out_
  std::vector<std::filesystem::path> created_dirs_;   // parent folders created for out_, deepest first
  std::vector<std::filesystem::path> removed_stale_;  // see removed_stale()
  std::string origin_;
  bool committed_ = false;
};

}  // namespace jettison::sim
