// A VM's memory image file, read with pread and written with pwrite + fdatasync (write-back). Its
// size must be a whole number of pages.
//
// The file may change under the server (truncated, grown, replaced by a rename, removed), so it is
// never mapped: a mapping would turn a truncation into SIGBUS in whoever touches a page past the new
// end. Reads go through pread into the caller's buffer (a short read is an error, not a signal) and
// each read and write checks the image's identity afterwards (fstat of the open file: same size;
// stat of the path: still the same device and inode). The first change found marks the image
// changed for good: it is logged once with what changed (size X -> Y bytes, replaced: inode A -> B,
// removed) and every later read or write throws ImageChanged without touching any file, so no page
// of a changed image is ever handed out and nothing is written to a file other than the one opened.
// Not detected: an in-place rewrite that keeps size and inode (in VM mode QEMU legitimately writes
// the RAM file in place while the VM runs on the desktop, when pages are not served).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "common/input_error.hpp"
#include "emu/wire/messages.hpp"

namespace jettison::emu {

// The image file is no longer the one opened, or its size changed. Its origin is the image's path;
// its text says what changed. The server answers it with IMAGE_CHANGED.
class ImageChanged : public InputError {
 public:
  using InputError::InputError;
};

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

  // Reads the pages of `ranges`, one after the other, into `out` (exactly their page count times
  // page_size bytes; every range within the image), then checks the image (check()). Throws
  // ImageChanged (out's bytes must not be used), or InputError on an I/O error. Thread-safe.
  void read_pages(std::span<const PageRange> ranges, std::span<std::byte> out) const;
  // Writes count pages starting at `first` (data.size() == count * page_size), or zeros if data is
  // empty; checks the image before writing and after. Throws ImageChanged or InputError.
  void write_pages(std::uint64_t first, std::uint32_t count, std::span<const std::byte> data);
  void sync();

  // Throws ImageChanged if the image changed now or earlier (InputError if it cannot be checked).
  void check() const;
  // What changed, once a change was found; nullopt while the image is intact as far as known.
  std::optional<std::string> change() const;

 private:
  [[noreturn]] void changed(const std::string& what) const;
  [[noreturn]] void throw_changed() const;

  std::filesystem::path path_;
  std::uint32_t page_size_;
  int fd_ = -1;
  std::uint64_t bytes_ = 0;
  std::uint64_t device_ = 0, inode_ = 0;
  std::uint64_t image_id_ = 0;

  mutable std::atomic<bool> changed_{false};
  mutable std::mutex change_mutex_;
  mutable std::string change_;  // the first change found (under change_mutex_)
};

}  // namespace jettison::emu
