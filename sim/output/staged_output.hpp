// Atomic outputs: files are written into a hidden staging folder inside the output folder and moved
// into place only when the whole run succeeded. A failed or interrupted run leaves the previous
// outputs (or nothing) behind, never a half-written file.
#pragma once

#include <filesystem>
#include <string>

namespace jettison::sim {

class StagedOutput {
 public:
  explicit StagedOutput(const std::filesystem::path& dir);
  ~StagedOutput();
  StagedOutput(const StagedOutput&) = delete;
  StagedOutput& operator=(const StagedOutput&) = delete;

  // Where to write `name` now; it appears in the output folder at commit().
  std::filesystem::path staged(const std::string& name) const { return staging_ / name; }
  // Where `name` will be once committed.
  std::filesystem::path final_path(const std::string& name) const { return dir_ / name; }
  void commit();

 private:
  std::filesystem::path dir_;
  std::filesystem::path staging_;
  bool committed_ = false;
};

}  // namespace jettison::sim
