#include "emu/server/dirty_log.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace jettison::emu {

DirtyLog::DirtyLog(std::filesystem::path path)
    : path_(std::move(path)), fd_(::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) {
  if (!fd_) throw std::runtime_error(fmt::format("dirty log '{}': {}", path_.string(), std::strerror(errno)));
}

void DirtyLog::append(std::uint64_t page) {
  while (true) {
    const ssize_t n = ::write(fd_.get(), &page, sizeof page);
    if (n == static_cast<ssize_t>(sizeof page)) return;
    if (n < 0 && errno == EINTR) continue;
    throw std::runtime_error(fmt::format("dirty log '{}': write of page {} failed: {}", path_.string(), page,
                                         n < 0 ? std::strerror(errno) : "short write"));
  }
}

std::vector<std::uint64_t> DirtyLog::read(const std::filesystem::path& path) {
  std::vector<std::uint64_t> pages;
  std::ifstream in(path, std::ios::binary);
  if (!in) return pages;
  std::uint64_t page = 0;
  while (in.read(reinterpret_cast<char*>(&page), sizeof page)) pages.push_back(page);
  return pages;
}

}  // namespace jettison::emu
