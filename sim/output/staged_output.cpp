#include "sim/output/staged_output.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include "common/input_error.hpp"

namespace jettison::sim {

namespace fs = std::filesystem;

StagedOutput::StagedOutput(const fs::path& dir) : dir_(dir) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec || !fs::is_directory(dir_)) {
    throw InputError("--out", fmt::format("cannot create output folder '{}': {}", dir_.string(),
                                          ec ? ec.message() : "a file of that name exists"));
  }
  staging_ = dir_ / fmt::format(".staging-{}", ::getpid());
  fs::remove_all(staging_, ec);
  if (!fs::create_directory(staging_, ec) || ec) {
    throw InputError("--out",
                     fmt::format("cannot write in output folder '{}': {}", dir_.string(), ec.message()));
  }
}

StagedOutput::~StagedOutput() {
  std::error_code ec;
  fs::remove_all(staging_, ec);
}

void StagedOutput::commit() {
  for (const auto& entry : fs::directory_iterator(staging_)) {
    fs::rename(entry.path(), dir_ / entry.path().filename());
  }
  committed_ = true;
}

}  // namespace jettison::sim
