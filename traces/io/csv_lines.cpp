#include "traces/io/csv_lines.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ios>

#include "common/input_error.hpp"
#include "traces/io/csv_fields.hpp"
#include "traces/io/row_error.hpp"

namespace jettison::traces {

std::string CsvLines::origin() const {
  return fmt::format("{}:{}", name_, std::max<std::uint64_t>(line_no_, 1));
}

void CsvLines::fail(const std::string& message) const { throw InputError(origin(), message); }

void CsvLines::reject(const std::string& message) const { throw RowError(origin(), message); }

bool CsvLines::read_line() {
  using traits = std::char_traits<char>;
  line_.clear();
  std::streambuf* buf = in_->rdbuf();
  try {
    if (traits::eq_int_type(buf->sgetc(), traits::eof())) return false;
    ++line_no_;
    for (auto c = buf->sbumpc(); !traits::eq_int_type(c, traits::eof()); c = buf->sbumpc()) {
      if (c == '\n') break;
      if (c == '\0') {
        fail(
            fmt::format("NUL byte at column {}: a CSV trace is text and holds none (a binary or corrupt "
                        "file?)",
                        line_.size() + 1));
      }
      // The limit plus a '\r' that a '\n' follows is still a line of the limit.
      if (line_.size() >= kMaxLineBytes && !(line_.size() == kMaxLineBytes && c == '\r')) {
        fail(
            fmt::format("line longer than {} bytes: the rows of the trace formats are far shorter "
                        "(traces/FORMAT.md)",
                        kMaxLineBytes));
      }
      line_.push_back(traits::to_char_type(c));
    }
  } catch (const std::ios_base::failure& e) {
    fail(fmt::format("read error: {}", e.what()));
  }
  return true;
}

bool CsvLines::header() {
  if (!read_line()) return false;
  clean_header_line(line_);
  return true;
}

bool CsvLines::next(std::vector<std::string_view>& fields, std::size_t max_fields) {
  while (read_line()) {
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    if (line_no_ == 1 && line_.rfind("\xEF\xBB\xBF", 0) == 0) line_.erase(0, 3);
    if (line_.empty()) continue;
    field_count_ = split_csv(line_, fields, max_fields);
    return true;
  }
  return false;
}

}  // namespace jettison::traces
