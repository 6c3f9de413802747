// A file written in large chunks, plain or zstd-compressed: callers format rows straight into
// buffer() (fmt::format_to) and call flush_if_full(); the file goes to disk with write(2) a chunk
// (1 MiB) at a time, never through iostreams. Compressed files are one zstd frame, written by
// libzstd's streaming compressor at level 1 without worker threads, so the bytes depend only on
// what was written (zstd frames concatenate: join_parts relies on it).
//
// close() finishes the file and throws (naming it) on any error, such as a full disk; a file
// destroyed without close() is closed quietly and left as it is (a run's files live in a staging
// folder that goes away with the failed run).
//
// An OutputFile made with no path keeps what is written in memory instead (plain text, never
// compressed): the Python API's runs, which write no file unless asked, take it with take_text().
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jettison::sim {

enum class Compression : std::uint8_t { kNone, kZstd };

class OutputFile {
 public:
  static constexpr std::size_t kChunk = std::size_t{1} << 20;
  static constexpr int kZstdLevel = 1;

  // Creates (or truncates) `path`; throws std::runtime_error "cannot write '<path>': <why>".
  explicit OutputFile(std::filesystem::path path, Compression compression = Compression::kNone);
  // In memory: nothing touches the disk; take_text() gives what was written once closed.
  OutputFile();
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Where rows are formatted; call flush_if_full() after each row (or batch of rows).
  fmt::memory_buffer& buffer() { return buffer_; }
  void flush_if_full() {
    if (buffer_.size() >= kChunk) flush();
  }
  void write(std::string_view text) {
    buffer_.append(text.data(), text.data() + text.size());
    flush_if_full();
  }
  // Writes what is buffered, ends the zstd frame, closes. Throws "error writing '<path>': <why>".
  void close();

  const std::filesystem::path& path() const { return path_; }
  // Hands over what an in-memory file holds (everything written, once closed); empty on disk.
  std::string take_text() { return std::move(text_); }
  // Bytes handed to the file so far (before compression).
  std::uint64_t bytes_in() const { return bytes_in_ + buffer_.size(); }

 private:
  void flush();
  void compress(bool end);
  void write_fd(const char* data, std::size_t size);
  [[noreturn]] void fail(std::string_view why) const;

  std::filesystem::path path_;
  int fd_ = -1;
  void* zstd_ = nullptr;  // ZSTD_CCtx*, compressed files only
  fmt::memory_buffer buffer_;
  std::vector<char> compressed_;  // zstd's output, written once full
  std::size_t compressed_size_ = 0;
  std::uint64_t bytes_in_ = 0;
  bool in_memory_ = false;
  std::string text_;  // an in-memory file's contents
};

}  // namespace jettison::sim
