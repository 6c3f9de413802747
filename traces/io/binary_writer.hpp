// Writers of the binary trace format (traces/FORMAT.md, "Binary format"), streamed: rows go out in
// 64 KiB blocks as they come, never held whole. A writer only emits what the readers accept: a row
// the format cannot hold or the readers would reject (end not after start, a desktop's periods out
// of order, page-trace times going back, a bad desktop id) throws std::invalid_argument.
// finish() must be called once after the last row; without it the output lacks its end marker and
// checksum and readers reject it as truncated. Write failures show in the ostream's state.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/time.hpp"
#include "traces/io/idle_trace_reader.hpp"
#include "traces/io/page_profile.hpp"

namespace jettison::traces {

namespace binary {
// Bytes on their way to an ostream, with the CRC-32 of everything written.
class Sink {
 public:
  explicit Sink(std::ostream& out) : out_(out) {}
  std::string& buffer() { return buf_; }
  void maybe_flush() {
    if (buf_.size() >= 64 * 1024) flush();
  }
  void flush();
  // End marker bytes are in the buffer: appends count and CRC, flushes everything.
  void finish(std::uint64_t records);

 private:
  std::ostream& out_;
  std::string buf_;
  std::uint32_t crc_ = 0;
};
}  // namespace binary

class IdleBinaryWriter {
 public:
  explicit IdleBinaryWriter(std::ostream& out);
  void write(std::string_view desktop, Time start, Time end);
  void write(const IdleRow& row) { write(row.desktop, row.start, row.end); }
  void finish();
  std::uint64_t records() const { return records_; }

 private:
  struct Desktop {
    std::uint64_t ref;
    std::int64_t last_end;
  };
  binary::Sink sink_;
  std::unordered_map<std::string, Desktop> desktops_;
  std::int64_t prev_start_ = 0;
  std::uint64_t records_ = 0;
  bool finished_ = false;
};

class PageBinaryWriter {
 public:
  explicit PageBinaryWriter(std::ostream& out);
  void write(std::int64_t time_us, std::uint64_t page, bool write);
  void write(const PageRow& row) { write(row.time_us, row.page, row.write); }
  void finish();
  std::uint64_t records() const { return records_; }

 private:
  binary::Sink sink_;
  std::int64_t time_ = 0;
  std::uint64_t page_ = 0;
  std::uint64_t records_ = 0;
  bool finished_ = false;
};

}  // namespace jettison::traces
