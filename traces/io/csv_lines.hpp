// The lines of a CSV input as the trace formats read them: `\r` line ends and a leading byte-order
// mark tolerated, blank lines skipped, each line split on commas, errors naming "file:line". The
// trace readers and the importers share it.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "common/input_error.hpp"
#include "traces/io/csv_fields.hpp"

namespace jettison::traces {

class CsvLines {
 public:
  // Reads from `in`, which must outlive this object; `name` appears in errors.
  CsvLines(std::istream& in, std::string name) : in_(&in), name_(std::move(name)) {}

  // The first line, as a header: not skipped when blank. False for an empty input.
  bool header() {
    if (!std::getline(*in_, line_)) return false;
    ++line_no_;
    clean_header_line(line_);
    return true;
  }

  // The next non-blank line's fields (views into the line, valid until the next call).
  bool next(std::vector<std::string_view>& fields) {
    while (std::getline(*in_, line_)) {
      ++line_no_;
      if (!line_.empty() && line_.back() == '\r') line_.pop_back();
      if (line_no_ == 1 && line_.rfind("\xEF\xBB\xBF", 0) == 0) line_.erase(0, 3);
      if (line_.empty()) continue;
      split_csv(line_, fields);
      return true;
    }
    if (in_->bad()) fail("read error");
    return false;
  }

  [[noreturn]] void fail(const std::string& message) const {
    throw InputError(fmt::format("{}:{}", name_, std::max<std::uint64_t>(line_no_, 1)), message);
  }
  const std::string& text() const { return line_; }  // the line last read
  std::uint64_t line() const { return line_no_; }
  const std::string& name() const { return name_; }

 private:
  std::istream* in_;
  std::string name_;
  std::string line_;
  std::uint64_t line_no_ = 0;
};

}  // namespace jettison::traces
