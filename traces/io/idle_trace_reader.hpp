// The idle-period trace (traces/FORMAT.md): CSV `desktop,start,end`, one row per idle period, or the
// same rows in the binary format; either may be gzip or zstd compressed. Read as a stream: one row at
// a time, checked as it is read.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/time.hpp"
#include "traces/io/csv_lines.hpp"
#include "traces/io/desktop_names.hpp"

namespace jettison::traces {

struct IdleRow {
  std::string desktop;
  Time start;
  Time end;
  std::uint64_t line = 0;  // CSV line, or binary record number
  // The desktop's number: its place in the reader's known names (see the constructor), or for a
  // name not among them, the known names' count plus its place among the other names met so far.
  std::uint32_t number = 0;
};

// Reads rows one by one and rejects bad ones with "file:line: what is wrong" ("file:record N: ..." in
// a binary trace): missing header, wrong field count, bad or negative numbers, end not after start, a
// desktop's periods unsorted or overlapping; corrupt or truncated compressed or binary data; a line
// over kMaxLineBytes or with a NUL byte. Errors in one row are RowErrors (row_error.hpp): next() may
// be called again and reads on (a rejected period does not count as its desktop's last one).
class IdleTraceReader {
 public:
  // Detects compression and the binary format from the stream's first bytes. `known`: desktop names
  // numbered beforehand (by an earlier pass over the same trace: then every row's desktop is among
  // them and the reader keeps 8 bytes a desktop); without, desktops are numbered as they appear.
  IdleTraceReader(std::unique_ptr<std::istream> in, std::string name,
                  std::shared_ptr<const DesktopNames> known = nullptr);
  ~IdleTraceReader();
  IdleTraceReader(const IdleTraceReader&) = delete;
  IdleTraceReader& operator=(const IdleTraceReader&) = delete;

  bool next(IdleRow& row);
  const std::string& name() const { return name_; }
  // The name of desktop `number` (a row's number).
  const std::string& desktop_name(std::uint32_t number) const {
    return number < known_count_ ? known_->name(number) : own_.name(number - known_count_);
  }
  // The names met that were not known, numbered from 0 in order of first appearance (for a reader
  // without known names: every desktop). Moved out: call after the last row.
  DesktopNames take_names() { return std::move(own_); }
  bool binary() const { return binary_ != nullptr; }
  // "file:12" or "file:record 12": where a row came from, for errors found later.
  std::string origin(std::uint64_t line) const;

 private:
  class Binary;
  [[noreturn]] void fail(const std::string& message) const;
  // The number of a desktop by name, if it has one yet.
  std::optional<std::uint32_t> find(std::string_view desktop) const;
  std::uint32_t add(std::string_view desktop);  // numbers a new desktop
  // The end of the desktop's last period; kUnseen before its first.
  static constexpr std::int64_t kUnseen = -1;
  std::int64_t& last_end(std::uint32_t number) {
    if (number >= last_end_.size()) last_end_.resize(number + 1, kUnseen);
    return last_end_[number];
  }

  std::unique_ptr<std::istream> in_;
  std::string name_;
  std::shared_ptr<const DesktopNames> known_;
  std::uint32_t known_count_ = 0;
  DesktopNames own_;                      // the names not known beforehand
  std::vector<std::int64_t> last_end_;    // by desktop number
  CsvLines lines_;                        // the CSV rows (unused for a binary trace)
  std::vector<std::string_view> fields_;  // the current line's
  std::unique_ptr<Binary> binary_;
};

// Checks a desktop id: 1-64 characters of A-Z a-z 0-9 _ - .
bool valid_desktop_id(std::string_view id);

}  // namespace jettison::traces
