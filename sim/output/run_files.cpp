#include "sim/output/run_files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace jettison::sim {
namespace {

// Appends all of `from` to `to` in the kernel (copy_file_range), falling back to read/write.
void append_file(const std::filesystem::path& from, int to_fd, const std::filesystem::path& to) {
  const int fd = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw std::runtime_error(fmt::format("cannot read '{}': {}", from.string(), std::strerror(errno)));
  auto fail = [&](const char* why) {
    ::close(fd);
    throw std::runtime_error(fmt::format("error writing '{}': {}", to.string(), why));
  };
  bool kernel_copy = true;
  std::vector<char> chunk;
  for (;;) {
    ssize_t n = -1;
    if (kernel_copy) {
      n = ::copy_file_range(fd, nullptr, to_fd, nullptr, std::size_t{1} << 30, 0);
      if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
        kernel_copy = false;
        chunk.resize(std::size_t{1} << 20);
        continue;
      }
    } else {
      n = ::read(fd, chunk.data(), chunk.size());
      for (ssize_t done = 0; n > 0 && done < n;) {
        const ssize_t w = ::write(to_fd, chunk.data() + done, static_cast<std::size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) fail(w < 0 ? std::strerror(errno) : "nothing written");
        done += w;
      }
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(std::strerror(errno));
    if (n == 0) break;
  }
  ::close(fd);
}

}  // namespace

void open_or_fail(std::ofstream& f, const std::filesystem::path& p) {
  f.open(p, std::ios::binary | std::ios::trunc);
  if (!f) throw std::runtime_error(fmt::format("cannot write '{}'", p.string()));
}

void close_or_fail(std::ofstream& f, const std::filesystem::path& p) {
  f.close();
  if (!f) throw std::runtime_error(fmt::format("error writing '{}' (disk full?)", p.string()));
}

std::string periods_file_name(PeriodsOutput periods) {
  switch (periods) {
    case PeriodsOutput::kCsv:
      return "periods.csv";
    case PeriodsOutput::kCsvZst:
      return "periods.csv.zst";
    case PeriodsOutput::kNone:
      return "";
  }
  return "";
}

Compression compression_of(PeriodsOutput periods) {
  return periods == PeriodsOutput::kCsvZst ? Compression::kZstd : Compression::kNone;
}

std::filesystem::path part_path(const StagedOutput& staged, std::string_view name, std::size_t i) {
  return staged.staged(fmt::format("{}.{}.part", name, i));
}

void join_parts(const StagedOutput& staged, std::string_view name, std::size_t n, std::string_view header,
                const std::string& file_name, Compression compression) {
  OutputFile joined(staged.staged(file_name), compression);
  joined.write(header);
  joined.close();  // the header alone: a complete file (a frame of its own when compressed)
  // Not O_APPEND: copy_file_range refuses such a target.
  const int fd = ::open(joined.path().c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0 || ::lseek(fd, 0, SEEK_END) < 0) {
    const std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    throw std::runtime_error(fmt::format("cannot write '{}': {}", joined.path().string(), why));
  }
  try {
    for (std::size_t i = 0; i < n; ++i) {
      const auto part = part_path(staged, name, i);
      append_file(part, fd, joined.path());
      std::filesystem::remove(part);
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) {
    throw std::runtime_error(
        fmt::format("error writing '{}': {}", joined.path().string(), std::strerror(errno)));
  }
}

}  // namespace jettison::sim
