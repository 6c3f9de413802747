// Writers of the CSV trace formats in their canonical spelling (traces/FORMAT.md, "Canonical CSV"):
// header line, `\n` line ends, no blank lines; idle times in the shortest decimal form ("3600",
// "3600.25"), page-trace times with exactly six decimals ("0.239000"), page numbers without leading
// zeros. Streamed in 64 KiB blocks; call finish() after the last row. Write failures show in the
// ostream's state. Rows are written as given: validation is the readers' job.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "common/time.hpp"
#include "traces/io/idle_trace_reader.hpp"
#include "traces/io/page_profile.hpp"

namespace jettison::traces {

class IdleCsvWriter {
 public:
  explicit IdleCsvWriter(std::ostream& out);
  void write(std::string_view desktop, Time start, Time end);
  void write(const IdleRow& row) { write(row.desktop, row.start, row.end); }
  void finish();
  std::uint64_t records() const { return records_; }

 private:
  void maybe_flush();
  std::ostream& out_;
  std::string buf_;
  std::uint64_t records_ = 0;
};

class PageCsvWriter {
 public:
  explicit PageCsvWriter(std::ostream& out);
  void write(std::int64_t time_us, std::uint64_t page, bool write);
  void write(const PageRow& row) { write(row.time_us, row.page, row.write); }
  void finish();
  std::uint64_t records() const { return records_; }

 private:
  void maybe_flush();
  std::ostream& out_;
  std::string buf_;
  std::uint64_t records_ = 0;
};

}  // namespace jettison::traces
