#include "traces/io/csv_lines.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <ios>

#include "common/input_error.hpp"
#include "traces/io/csv_fields.hpp"
#include "traces/io/row_error.hpp"

namespace jettison::traces {

// A line of the limit, a '\r' and a byte more must fit, to see that it is over the limit.
static_assert(CsvLines::kBufferBytes >= kMaxLineBytes + 2);

CsvLines::CsvLines(std::istream& in, std::string name)
    : in_(&in), name_(std::move(name)), buf_(std::make_unique<char[]>(kBufferBytes)) {}

std::string CsvLines::origin() const {
  return fmt::format("{}:{}", name_, std::max<std::uint64_t>(line_no_, 1));
}

void CsvLines::fail(const std::string& message) const { throw InputError(origin(), message); }

void CsvLines::reject(const std::string& message) const { throw RowError(origin(), message); }

bool CsvLines::fill() {
  using traits = std::char_traits<char>;
  if (at_eof_) return false;
  if (pos_ > 0) {
    std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  std::streambuf* sb = in_->rdbuf();
  const std::size_t before = end_;
  try {
    while (end_ < kBufferBytes) {
      // What the stream holds already is copied without asking it for more; it reads (or
      // decompresses) more only when it has nothing left and nothing was copied yet.
      std::streamsize avail = sb->in_avail();
      if (avail <= 0) {
        if (end_ > before) break;
        if (traits::eq_int_type(sb->sgetc(), traits::eof())) {
          at_eof_ = true;
          break;
        }
        avail = std::max<std::streamsize>(sb->in_avail(), 1);
      }
      const auto want = std::min<std::streamsize>(avail, static_cast<std::streamsize>(kBufferBytes - end_));
      const std::streamsize got = sb->sgetn(buf_.get() + end_, want);
      if (got <= 0) {
        at_eof_ = true;
        break;
      }
      end_ += static_cast<std::size_t>(got);
    }
  } catch (const std::ios_base::failure& e) {
    fail(fmt::format("read error: {}", e.what()));
  }
  return end_ > before;
}

void CsvLines::check_line(const char* p, std::size_t n) {
  // The byte at which the line is over the limit: the limit plus a '\r' that a '\n' follows is still
  // a line of the limit.
  std::size_t over = n;
  if (n > kMaxLineBytes) over = p[kMaxLineBytes] == '\r' ? kMaxLineBytes + 1 : kMaxLineBytes;
  const std::size_t scan = std::min(n, over + 1);
  if (const void* nul = std::memchr(p, '\0', scan)) {
    const auto column = static_cast<std::size_t>(static_cast<const char*>(nul) - p) + 1;
    fail(fmt::format("NUL byte at column {}: a CSV trace is text and holds none (a binary or corrupt file?)",
                     column));
  }
  if (over < n) {
    fail(
        fmt::format("line longer than {} bytes: the rows of the trace formats are far shorter "
                    "(traces/FORMAT.md)",
                    kMaxLineBytes));
  }
}

bool CsvLines::read_line() {
  constexpr std::size_t kLook = kMaxLineBytes + 2;  // enough to judge any line
  line_ = {};
  if (pos_ == end_ && !fill()) return false;
  ++line_no_;
  while (true) {
    const char* p = buf_.get() + pos_;
    const std::size_t avail = end_ - pos_;
    const std::size_t scan = std::min(avail, kLook);
    const void* nl = std::memchr(p, '\n', scan);
    if (nl == nullptr && avail < kLook && fill()) continue;
    p = buf_.get() + pos_;  // fill() may have moved the bytes
    const std::size_t n =
        nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - p) : std::min(end_ - pos_, kLook);
    check_line(p, n);
    line_ = std::string_view(p, n);
    pos_ += nl ? n + 1 : n;
    return true;
  }
}

bool CsvLines::header() {
  if (!read_line()) return false;
  header_.assign(line_);
  clean_header_line(header_);
  line_ = header_;
  return true;
}

bool CsvLines::next(std::vector<std::string_view>& fields, std::size_t max_fields) {
  while (read_line()) {
    if (!line_.empty() && line_.back() == '\r') line_.remove_suffix(1);
    if (line_no_ == 1 && line_.substr(0, 3) == "\xEF\xBB\xBF") line_.remove_prefix(3);
    if (line_.empty()) continue;
    field_count_ = split_csv(line_, fields, max_fields);
    return true;
  }
  return false;
}

}  // namespace jettison::traces
