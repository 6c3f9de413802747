#include "sim/output/folder_swap.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/input_error.hpp"

namespace jettison::sim {

namespace fs = std::filesystem;

namespace {

void sync_path(const fs::path& p, int flags) {
  const int fd = ::open(p.c_str(), flags | O_CLOEXEC);
  if (fd < 0)
    throw std::runtime_error(
        fmt::format("cannot open '{}' to sync it: {}", p.string(), std::strerror(errno)));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0)
    throw std::runtime_error(fmt::format("cannot sync '{}' to disk: {}", p.string(), std::strerror(err)));
}

}  // namespace

void sync_folder(const fs::path& dir) { sync_path(dir, O_RDONLY | O_DIRECTORY); }

void sync_tree(const fs::path& dir) {
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_symlink()) continue;
    if (entry.is_directory())
      sync_folder(entry.path());
    else if (entry.is_regular_file())
      sync_path(entry.path(), O_RDONLY);
  }
  sync_folder(dir);
}

SwapResult swap_in(const fs::path& staging, const fs::path& target, const std::string& origin) {
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) {
    return SwapResult::kMoved;
  }
  if (errno == EINVAL || errno == ENOSYS) {
    // No RENAME_NOREPLACE here: a plain rename is as good when nothing is at the target.
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(target, ec)) && ::rename(staging.c_str(), target.c_str()) == 0) {
      return SwapResult::kMoved;
    }
  } else if (errno != EEXIST) {
    throw InputError(origin, fmt::format("cannot move the finished output to '{}': {}", target.string(),
                                         std::strerror(errno)));
  }
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
    return SwapResult::kExchanged;
  }
  if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
    throw InputError(origin, fmt::format("the file system of '{}' cannot exchange two folders in one step "
                                         "(renameat2 RENAME_EXCHANGE: {}), so an earlier output there cannot "
                                         "be replaced whole; remove it or choose a new folder",
                                         target.string(), std::strerror(errno)));
  }
  throw InputError(origin, fmt::format("cannot swap the finished output in for '{}': {}", target.string(),
                                       std::strerror(errno)));
}

}  // namespace jettison::sim
