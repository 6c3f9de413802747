// A PageSource over a local memory image file (a VM's RAM file): in-process tests and benchmarks of
// the fetcher without the network. All-zero pages are reported as such (data == nullptr).
#pragma once

#include <filesystem>

#include "emu/fetch/page_source.hpp"

namespace jettison::emu {

class ImageSource final : public PageSource {
 public:
  // The image's size must be a non-zero multiple of `page_size`. Throws SourceFailed otherwise.
  explicit ImageSource(const std::filesystem::path& image, std::uint64_t page_size = 4096);
  ~ImageSource() override;
  ImageSource(const ImageSource&) = delete;
  ImageSource& operator=(const ImageSource&) = delete;

  std::uint64_t page_size() const override { return page_size_; }
  std::uint64_t pages() const override { return pages_; }
  void fetch(std::span<const std::uint64_t> pages, const Place& place) override;

  // The image's bytes of `page` (for checks).
  std::span<const std::byte> page(std::uint64_t page) const;

 private:
  std::uint64_t page_size_;
  std::uint64_t pages_ = 0;
  const std::byte* data_ = nullptr;  // the image, mapped read-only
};

}  // namespace jettison::emu
