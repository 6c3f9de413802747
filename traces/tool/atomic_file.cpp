#include "traces/tool/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/input_error.hpp"

namespace jettison::traces {

namespace fs = std::filesystem;

AtomicFile::AtomicFile(fs::path target, std::string origin)
    : target_(std::move(target)), origin_(std::move(origin)) {
  if (target_.empty() || !target_.has_filename()) {
    throw InputError(origin_, fmt::format("'{}' is not a file name", target_.string()));
  }
  std::error_code ec;
  if (fs::is_directory(target_, ec)) {
    throw InputError(origin_, fmt::format("'{}' is a folder, not a file", target_.string()));
  }
  const fs::path dir = target_.parent_path().empty() ? fs::path(".") : target_.parent_path();
  if (!fs::exists(dir, ec)) {
    // Remember the outermost missing folder so a failed write can take it away again.
    fs::path top = dir;
    while (top.has_parent_path() && top.parent_path() != top && !fs::exists(top.parent_path(), ec)) {
      top = top.parent_path();
    }
    fs::create_directories(dir, ec);
    if (ec) {
      throw InputError(origin_, fmt::format("cannot create folder '{}': {}", dir.string(), ec.message()));
    }
    created_dir_ = top;
  } else if (!fs::is_directory(dir, ec)) {
    throw InputError(origin_,
                     fmt::format("cannot write '{}': '{}' is not a folder", target_.string(), dir.string()));
  }
  // O_EXCL claims a fresh name; 0666 lets the umask decide the permissions, as for any new file.
  for (int attempt = 0;; ++attempt) {
    temp_ = dir / fmt::format(".{}.tmp-{}-{}", target_.filename().string(), ::getpid(), attempt);
    const int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      ::close(fd);
      break;
    }
    if (errno != EEXIST || attempt > 1000) {
      const std::string why = std::strerror(errno);
      temp_.clear();
      discard();
      throw InputError(origin_, fmt::format("cannot write in folder '{}': {}", dir.string(), why));
    }
  }
  out_.open(temp_, std::ios::binary | std::ios::trunc);
  if (!out_) {
    discard();
    throw InputError(origin_, fmt::format("cannot open '{}' for writing", temp_.string()));
  }
}

AtomicFile::~AtomicFile() {
  if (!committed_) discard();
}

void AtomicFile::discard() noexcept {
  std::error_code ec;
  if (out_.is_open()) out_.close();
  if (!temp_.empty()) fs::remove(temp_, ec);
  if (!created_dir_.empty()) fs::remove_all(created_dir_, ec);
}

void AtomicFile::commit() {
  out_.flush();
  const bool ok = static_cast<bool>(out_);
  out_.close();
  if (!ok || out_.fail()) {
    discard();
    committed_ = true;
    throw InputError(origin_, fmt::format("writing '{}' failed (disk full?)", target_.string()));
  }
  std::error_code ec;
  fs::rename(temp_, target_, ec);
  if (ec) {
    discard();
    committed_ = true;
    throw InputError(
        origin_, fmt::format("cannot move the finished file to '{}': {}", target_.string(), ec.message()));
  }
  committed_ = true;
}

}  // namespace jettison::traces
