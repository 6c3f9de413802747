#include "emu/memserver/memory_image.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <vector>

#include "emu/wire/frame.hpp"

namespace jettison::emu {

namespace {
[[noreturn]] void io_fail(const std::filesystem::path& path, const char* what) {
  throw InputError(path.string(), std::string(what) + ": " + std::strerror(errno));
}
}  // namespace

MemoryImage::MemoryImage(std::filesystem::path path, std::uint32_t page_size)
    : path_(std::move(path)), page_size_(page_size) {
  if (!valid_page_size(page_size)) throw InputError(path_.string(), "page size " + std::to_string(page_size));
  fd_ = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
  if (fd_ < 0) io_fail(path_, "open");
  struct stat st {};
  if (::fstat(fd_, &st) < 0) {
    ::close(fd_);
    io_fail(path_, "fstat");
  }
  bytes_ = static_cast<std::uint64_t>(st.st_size);
  if (bytes_ == 0 || bytes_ % page_size_ != 0) {
    ::close(fd_);
    throw InputError(path_.string(), "image size " + std::to_string(bytes_) +
                                         " is not a positive multiple of the " + std::to_string(page_size_) +
                                         "-byte page");
  }
  device_ = static_cast<std::uint64_t>(st.st_dev);
  inode_ = static_cast<std::uint64_t>(st.st_ino);
  image_id_ = (device_ << 40) ^ inode_;
}

MemoryImage::~MemoryImage() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::string> MemoryImage::change() const {
  if (!changed_.load(std::memory_order_acquire)) return std::nullopt;
  std::lock_guard lock(change_mutex_);
  return change_;
}

void MemoryImage::throw_changed() const {
  throw ImageChanged(path_.string(), fmt::format("the image changed while served ({}): its pages are no "
                                                 "longer served or written back",
                                                 *change()));
}

void MemoryImage::changed(const std::string& what) const {
  {
    std::lock_guard lock(change_mutex_);
    if (!changed_.load(std::memory_order_relaxed)) {
      change_ = what;
      changed_.store(true, std::memory_order_release);
      spdlog::error("memserver: image {} changed: {}; from now on no page of it is served or written back",
                    path_.string(), what);
    }
  }
  throw_changed();
}

void MemoryImage::check() const {
  if (changed_.load(std::memory_order_acquire)) throw_changed();
  struct stat open_file {};
  if (::fstat(fd_, &open_file) < 0) io_fail(path_, "fstat");
  const auto size = static_cast<std::uint64_t>(open_file.st_size);
  if (size != bytes_) {
    changed(fmt::format("size {} -> {} bytes, {}", bytes_, size, size < bytes_ ? "truncated" : "grown"));
  }
  struct stat at_path {};
  if (::stat(path_.c_str(), &at_path) < 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      changed(fmt::format("removed: inode {} is no longer at the path", inode_));
    io_fail(path_, "stat");
  }
  const auto device = static_cast<std::uint64_t>(at_path.st_dev);
  const auto inode = static_cast<std::uint64_t>(at_path.st_ino);
  if (device != device_ || inode != inode_) {
    changed(device != device_ ? fmt::format("replaced: device {} inode {} -> device {} inode {}", device_,
                                            inode_, device, inode)
                              : fmt::format("replaced: inode {} -> {}", inode_, inode));
  }
}

void MemoryImage::read_pages(std::span<const PageRange> ranges, std::span<std::byte> out) const {
  if (changed_.load(std::memory_order_acquire)) throw_changed();
  std::size_t at = 0;
  for (const auto& range : ranges) {
    assert(range.first_page < pages() && range.count <= pages() - range.first_page);
    const std::size_t len = std::size_t{range.count} * page_size_;
    assert(at + len <= out.size());
    const std::uint64_t offset = range.first_page * page_size_;
    std::size_t done = 0;
    while (done < len) {
      const ssize_t n = ::pread(fd_, out.data() + at + done, len - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) io_fail(path_, "pread");
      if (n == 0) {
        check();  // the file shrank: this names the new size
        changed(fmt::format("a read of {} bytes at offset {} ended early", len - done, offset + done));
      }
      done += static_cast<std::size_t>(n);
    }
    at += len;
  }
  assert(at == out.size());
  check();  // bytes read from a file that changed meanwhile are not handed out
}

void MemoryImage::write_pages(std::uint64_t first, std::uint32_t count, std::span<const std::byte> data) {
  if (first >= pages() || count > pages() - first) {
    throw InputError(path_.string(), "write of pages " + std::to_string(first) + "+" + std::to_string(count) +
                                         " beyond the image");
  }
  check();  // never write into a file that is no longer the image (or into a truncated one)
  const std::size_t len = std::size_t{count} * page_size_;
  std::vector<std::byte> zeros;
  if (data.empty()) {
    zeros.assign(len, std::byte{0});
    data = zeros;
  }
  assert(data.size() == len);
  std::size_t done = 0;
  while (done < len) {
    const ssize_t n =
        ::pwrite(fd_, data.data() + done, len - done, static_cast<off_t>(first * page_size_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) io_fail(path_, "pwrite");
    done += static_cast<std::size_t>(n);
  }
  check();
}

void MemoryImage::sync() {
  if (::fdatasync(fd_) < 0) io_fail(path_, "fdatasync");
}

}  // namespace jettison::emu
