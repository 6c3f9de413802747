#include "traces/tool/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <vector>

#include "common/input_error.hpp"

namespace jettison::traces {

namespace fs = std::filesystem;

namespace {

bool all_digits(const std::string& text) {
  if (text.empty() || text.size() > 10 || text[0] == '0') return false;
  for (const char c : text)
    if (c < '0' || c > '9') return false;
  return true;
}

// The pid in `candidate` when it is exactly a temporary name of `name` (".NAME.tmp-PID-N"), 0 if not.
pid_t temp_pid(const std::string& name, const std::string& candidate) {
  const std::string prefix = "." + name + ".tmp-";
  if (candidate.size() <= prefix.size() || candidate.compare(0, prefix.size(), prefix) != 0) return 0;
  const std::string rest = candidate.substr(prefix.size());
  const std::size_t dash = rest.find('-');
  if (dash == std::string::npos) return 0;
  const std::string pid = rest.substr(0, dash);
  const std::string attempt = rest.substr(dash + 1);
  if (!all_digits(pid) || !(attempt == "0" || all_digits(attempt))) return 0;
  const long long value = std::stoll(pid);
  return value > 0x7fffffffLL ? 0 : static_cast<pid_t>(value);
}

void sync_path(const fs::path& p, int flags) {
  const int fd = ::open(p.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), p.string());
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw std::system_error(err, std::generic_category(), p.string());
}

}  // namespace

void remove_stale_temp_files(const fs::path& target) {
  const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  const std::string name = target.filename().string();
  std::vector<fs::path> stale;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const pid_t pid = temp_pid(name, it->path().filename().string());
    if (pid == 0 || !(::kill(pid, 0) == -1 && errno == ESRCH)) continue;
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) stale.push_back(it->path());
  }
  for (const fs::path& p : stale) {
    if (fs::remove(p, ec)) {
      fmt::print(stderr, "note: removed '{}', a partial file left by a process that is gone\n", p.string());
    }
  }
}

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
  remove_stale_temp_files(target_);
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
  const fs::path dir = target_.parent_path().empty() ? fs::path(".") : target_.parent_path();
  try {
    sync_path(temp_, O_RDONLY);  // the bytes are on disk before the name points at them
  } catch (const std::system_error& e) {
    discard();
    committed_ = true;
    throw InputError(origin_, fmt::format("cannot sync '{}' to disk: {}", target_.string(), e.what()));
  }
  fs::rename(temp_, target_, ec);
  if (ec) {
    discard();
    committed_ = true;
    throw InputError(
        origin_, fmt::format("cannot move the finished file to '{}': {}", target_.string(), ec.message()));
  }
  committed_ = true;
  try {
    sync_path(dir, O_RDONLY | O_DIRECTORY);  // the rename itself survives a crash
  } catch (const std::system_error& e) {
    throw InputError(origin_, fmt::format("cannot sync folder '{}' to disk: {}", dir.string(), e.what()));
  }
}

}  // namespace jettison::traces
