// The idle-period trace (traces/FORMAT.md): CSV `desktop,start,end`, one row per idle period, or the
// same rows in the binary format; either may be gzip or zstd compressed. Read as a stream: one row at
// a time, checked as it is read.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/time.hpp"
#include "traces/io/csv_lines.hpp"

namespace jettison::traces {

// Hashes std::string and std::string_view alike (lookups by a field without a copy).
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct IdleRow {
  std::string desktop;
  Time start;
  Time end;
  std::uint64_t line = 0;  // CSV line, or binary record number
};

// Reads rows one by one and rejects bad ones with "file:line: what is wrong" ("file:record N: ..." in
// a binary trace): missing header, wrong field count, bad or negative numbers, end not after start, a
// desktop's periods unsorted or overlapping; corrupt or truncated compressed or binary data; a line
// over kMaxLineBytes or with a NUL byte. Errors in one row are RowErrors (row_error.hpp): next() may
// be called again and reads on (a rejected period does not count as its desktop's last one).
class IdleTraceReader {
 public:
  // Detects compression and the binary format from the stream's first bytes.
  IdleTraceReader(std::unique_ptr<std::istream> in, std::string name);
  ~IdleTraceReader();
  IdleTraceReader(const IdleTraceReader&) = delete;
  IdleTraceReader& operator=(const IdleTraceReader&) = delete;

  bool next(IdleRow& row);
  const std::string& name() const { return name_; }
  bool binary() const { return binary_ != nullptr; }
  // "file:12" or "file:record 12": where a row came from, for errors found later.
  std::string origin(std::uint64_t line) const;

 private:
  class Binary;
  [[noreturn]] void fail(const std::string& message) const;

  std::unique_ptr<std::istream> in_;
  std::string name_;
  CsvLines lines_;                        // the CSV rows (unused for a binary trace)
  std::vector<std::string_view> fields_;  // the current line's
  std::unordered_map<std::string, Time, StringHash, std::equal_to<>> last_end_;
  std::unique_ptr<Binary> binary_;
};

// Checks a desktop id: 1-64 characters of A-Z a-z 0-9 _ - .
bool valid_desktop_id(std::string_view id);

}  // namespace jettison::traces
