#include "emu/remote/network_namespace.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sched.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace jettison::emu {
namespace {

constexpr const char* kSelf = "/proc/thread-self/ns/net";

struct stat stat_of(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw std::runtime_error(fmt::format("fstat(netns): {}", std::strerror(errno)));
  return st;
}

}  // namespace

NetworkNamespace::NetworkNamespace(UniqueFd fd, unsigned long dev, unsigned long inode)
    : fd_(std::move(fd)), dev_(dev), inode_(inode) {}

NetworkNamespace NetworkNamespace::current() {
  UniqueFd fd(::open(kSelf, O_RDONLY | O_CLOEXEC));
  if (!fd) throw std::runtime_error(fmt::format("{}: {}", kSelf, std::strerror(errno)));
  const struct stat st = stat_of(fd.get());
  return NetworkNamespace(std::move(fd), static_cast<unsigned long>(st.st_dev),
                          static_cast<unsigned long>(st.st_ino));
}

bool NetworkNamespace::is_current() const {
  struct stat st {};
  if (::stat(kSelf, &st) != 0) return true;  // no /proc: nothing we could do anyway
  return static_cast<unsigned long>(st.st_dev) == dev_ && static_cast<unsigned long>(st.st_ino) == inode_;
}

void NetworkNamespace::run_in(const std::function<void()>& fn) const {
  if (is_current()) {
    fn();
    return;
  }
  std::exception_ptr error;
  std::thread t([&] {
    try {
      if (::setns(fd_.get(), CLONE_NEWNET) != 0)
        throw std::runtime_error(fmt::format("setns(network namespace): {}", std::strerror(errno)));
      fn();
    } catch (...) {
      error = std::current_exception();
    }
  });
  t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace jettison::emu
