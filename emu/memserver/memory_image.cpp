#include "emu/memserver/memory_image.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <vector>

#include "common/input_error.hpp"
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
  image_id_ = (static_cast<std::uint64_t>(st.st_dev) << 40) ^ static_cast<std::uint64_t>(st.st_ino);
  void* m = ::mmap(nullptr, bytes_, PROT_READ, MAP_SHARED, fd_, 0);
  if (m == MAP_FAILED) {
    ::close(fd_);
    io_fail(path_, "mmap");
  }
  map_ = static_cast<const std::byte*>(m);
}

MemoryImage::~MemoryImage() {
  if (map_ != nullptr) ::munmap(const_cast<std::byte*>(map_), bytes_);
  if (fd_ >= 0) ::close(fd_);
}

const std::byte* MemoryImage::page(std::uint64_t n) const {
  assert(n < pages());
  return map_ + n * page_size_;
}

void MemoryImage::write_pages(std::uint64_t first, std::uint32_t count, std::span<const std::byte> data) {
  if (first >= pages() || count > pages() - first) {
    throw InputError(path_.string(), "write of pages " + std::to_string(first) + "+" + std::to_string(count) +
                                         " beyond the image");
  }
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
}

void MemoryImage::sync() {
  if (::fdatasync(fd_) < 0) io_fail(path_, "fdatasync");
}

}  // namespace jettison::emu
