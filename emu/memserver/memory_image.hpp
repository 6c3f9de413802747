// A VM's memory image file: mapped read-only for serving pages, written with pwrite + fdatasync
// when write-back applies dirty pages. Its size must be a whole number of pages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>

namespace jettison::emu {

class MemoryImage {
 public:
  MemoryImage(std::filesystem::path path, std::uint32_t page_size);
  ~MemoryImage();
  MemoryImage(const MemoryImage&) = delete;
  MemoryImage& operator=(const MemoryImage&) = delete;

  std::uint32_t page_size() const { return page_size_; }
  std::uint64_t pages() const { return bytes_ / page_size_; }
  std::uint64_t bytes() const { return bytes_; }
  // Stable for one file (device and inode), so a reconnecting client sees a replaced image.
  std::uint64_t image_id() const { return image_id_; }
  const std::filesystem::path& path() const { return path_; }

  const std::byte* page(std::uint64_t n) const;
  // Writes count pages starting at `first` (data.size() == count * page_size), or zeros if data is empty.
  void write_pages(std::uint64_t first, std::uint32_t count, std::span<const std::byte> data);
  void sync();

 private:
  std::filesystem::path path_;
  std::uint32_t page_size_;
  int fd_ = -1;
  std::uint64_t bytes_ = 0;
  std::uint64_t image_id_ = 0;
  const std::byte* map_ = nullptr;
};

}  // namespace jettison::emu
