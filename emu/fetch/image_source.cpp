#include "emu/fetch/image_source.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "emu/sys/unique_fd.hpp"

namespace jettison::emu {

ImageSource::ImageSource(const std::filesystem::path& image, std::uint64_t page_size)
    : page_size_(page_size) {
  UniqueFd fd(::open(image.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd)
    throw SourceFailed(
        fmt::format("{}: cannot open the memory image: {}", image.string(), std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    throw SourceFailed(fmt::format("{}: fstat: {}", image.string(), std::strerror(errno)));
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (page_size == 0 || size == 0 || size % page_size != 0)
    throw SourceFailed(fmt::format("{}: size {} is not a non-zero multiple of the page size {}",
                                   image.string(), size, page_size));
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (data == MAP_FAILED)
    throw SourceFailed(fmt::format("{}: mmap: {}", image.string(), std::strerror(errno)));
  data_ = static_cast<const std::byte*>(data);
  pages_ = size / page_size;
}

ImageSource::~ImageSource() {
  if (data_ != nullptr) ::munmap(const_cast<std::byte*>(data_), pages_ * page_size_);
}

std::span<const std::byte> ImageSource::page(std::uint64_t page) const {
  if (page >= pages_) throw SourceFailed(fmt::format("page {} beyond the image ({} pages)", page, pages_));
  return {data_ + page * page_size_, page_size_};
}

void ImageSource::fetch(std::span<const std::uint64_t> pages, const Place& place) {
  for (const std::uint64_t p : pages) {
    const std::span<const std::byte> bytes = page(p);
    const bool zero = std::all_of(bytes.begin(), bytes.end(), [](std::byte b) { return b == std::byte{0}; });
    place(p, zero ? nullptr : bytes.data());
  }
}

}  // namespace jettison::emu
