#include "traces/io/idle_trace_reader.hpp"

#include <fmt/format.h>

#include "common/input_error.hpp"
#include "traces/io/csv_fields.hpp"

namespace jettison::traces {
namespace {

bool valid_desktop_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

IdleTraceReader::IdleTraceReader(std::unique_ptr<std::istream> in, std::string name)
    : in_(std::move(in)), name_(std::move(name)) {
  ++line_no_;
  if (!std::getline(*in_, line_)) fail("empty file: expected the header 'desktop,start,end'");
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  if (line_.rfind("\xEF\xBB\xBF", 0) == 0) line_.erase(0, 3);
  if (line_ != "desktop,start,end") {
    fail(fmt::format("missing header: the first line must be 'desktop,start,end', found {}",
                     quote_field(line_)));
  }
}

void IdleTraceReader::fail(const std::string& message) const {
  throw InputError(fmt::format("{}:{}", name_, line_no_), message);
}

bool IdleTraceReader::next(IdleRow& row) {
  std::vector<std::string_view> f;
  while (std::getline(*in_, line_)) {
    ++line_no_;
    if (line_.empty() || line_ == "\r") continue;
    split_csv(line_, f);
    if (f.size() != 3) fail(fmt::format("expected 3 fields (desktop,start,end), found {}", f.size()));
    if (!valid_desktop_id(f[0])) {
      fail(fmt::format("desktop id {} must be 1-64 characters of A-Z a-z 0-9 _ - .", quote_field(f[0])));
    }
    const auto start = parse_seconds_us(f[1]);
    if (!start) fail(fmt::format("start {} is not a non-negative number of seconds", quote_field(f[1])));
    const auto end = parse_seconds_us(f[2]);
    if (!end) fail(fmt::format("end {} is not a non-negative number of seconds", quote_field(f[2])));
    if (*end <= *start) {
      fail(fmt::format("end {} is not after start {}: an idle period must have a positive length",
                       f[2], f[1]));
    }
    row.desktop.assign(f[0]);
    row.start = Time::micros(*start);
    row.end = Time::micros(*end);
    row.line = line_no_;
    auto [it, fresh] = last_end_.try_emplace(row.desktop, row.end);
    if (!fresh) {
      if (row.start < it->second) {
        fail(fmt::format("period of desktop '{}' starting at {} s begins before its previous period "
                         "ends ({} s): periods of one desktop must be sorted and must not overlap",
                         row.desktop, f[1], it->second.seconds_f()));
      }
      it->second = row.end;
    }
    return true;
  }
  if (in_->bad()) fail("read error");
  return false;
}

}  // namespace jettison::traces
