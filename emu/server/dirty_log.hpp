// The hosted guest's dirty set as a write-ahead record: each page number is appended (8 bytes,
// native order, one write(2)) BEFORE the fetcher makes the page writable (FetcherOptions::on_dirty),
// so a server killed at any moment leaves a log that names every page the guest may have changed.
// A restarted server reads it back (a torn last record is ignored: its page was never unprotected)
// and hands it to the new fetcher (Fetcher::preload_dirty), so the write-back misses nothing.
// Process death loses nothing (the page cache keeps the writes); a crash of the machine loses the
// guest anyway.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "emu/sys/unique_fd.hpp"

namespace jettison::emu {

class DirtyLog {
 public:
  // Opens (creating) `path` for appending. std::runtime_error naming the file on failure.
  explicit DirtyLog(std::filesystem::path path);
  // Appends one page; throws on a failed or short write (the fetcher then stops with the page still
  // protected: nothing is made writable that is not recorded).
  void append(std::uint64_t page);
  // The pages recorded in `path` (none when it does not exist), in order, duplicates kept.
  static std::vector<std::uint64_t> read(const std::filesystem::path& path);

 private:
  std::filesystem::path path_;
  UniqueFd fd_;
};

}  // namespace jettison::emu
