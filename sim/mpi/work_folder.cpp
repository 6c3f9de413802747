#include "sim/mpi/work_folder.hpp"

#include <fmt/format.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sim/output/stale_staging.hpp"

namespace jettison::sim::mpi {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "jettison-rank";

// "jettison-rank<k>-<pid>-XXXXXX" -> pid.
std::optional<pid_t> scratch_pid(const std::string& name) {
  if (name.rfind(kPrefix, 0) != 0) return std::nullopt;
  const auto first = name.find('-', kPrefix.size());
  const auto second = first == std::string::npos ? first : name.find('-', first + 1);
  if (second == std::string::npos || second == first + 1 || name.size() != second + 7) return std::nullopt;
  const std::string pid = name.substr(first + 1, second - first - 1);
  if (pid.find_first_not_of("0123456789") != std::string::npos || pid.size() > 9) return std::nullopt;
  return static_cast<pid_t>(std::stol(pid));
}

void remove_stale_scratch(const fs::path& tmp) {
  std::error_code ec;
  for (fs::directory_iterator it(tmp, ec), end; !ec && it != end; it.increment(ec)) {
    const auto pid = scratch_pid(it->path().filename().string());
    std::error_code ignored;
    if (pid && it->is_directory(ignored) && process_gone(*pid)) fs::remove_all(it->path(), ignored);
  }
}

}  // namespace

WorkFolder::WorkFolder(int rank) {
  const fs::path tmp = fs::temp_directory_path();
  remove_stale_scratch(tmp);
  std::string pattern = (tmp / fmt::format("{}{}-{}-XXXXXX", kPrefix, rank, ::getpid())).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error(
        fmt::format("cannot create a scratch folder '{}': {}", pattern, std::strerror(errno)));
  }
  path_ = pattern;
  guard_.emplace(path_);
}

WorkFolder::~WorkFolder() {
  guard_.reset();
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace jettison::sim::mpi
