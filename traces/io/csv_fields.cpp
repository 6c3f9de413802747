#include "traces/io/csv_fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>

namespace jettison::traces {

void clean_header_line(std::string& line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
}

std::string row_origin(const std::string& file, std::uint64_t row, bool binary) {
  return binary ? fmt::format("{}:record {}", file, row) : fmt::format("{}:{}", file, row);
}

void split_csv(std::string_view line, std::vector<std::string_view>& out) {
  split_csv(line, out, std::string_view::npos - 1);
}

std::size_t split_csv(std::string_view line, std::vector<std::string_view>& out, std::size_t max_fields) {
  out.clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      out.push_back(line.substr(start));
      return out.size();
    }
    out.push_back(line.substr(start, comma - start));
    start = comma + 1;
    if (out.size() > max_fields) {  // one too many: count the rest without keeping them
      const std::string_view rest = line.substr(start);
      return out.size() + 1 + static_cast<std::size_t>(std::count(rest.begin(), rest.end(), ','));
    }
  }
}

std::optional<std::int64_t> parse_seconds_us(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() && frac.empty()) return std::nullopt;
  if (dot != std::string_view::npos && frac.empty() && whole.empty()) return std::nullopt;
  std::int64_t seconds = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    if (seconds > 9'000'000'000'000LL / 10) return std::nullopt;  // beyond ~285,000 years
    seconds = seconds * 10 + (c - '0');
  }
  std::int64_t micros = 0;
  int digits = 0;
  bool round_up = false;
  for (char c : frac) {
    if (c < '0' || c > '9') return std::nullopt;
    if (digits < 6) {
      micros = micros * 10 + (c - '0');
    } else if (digits == 6) {
      round_up = c >= '5';
    }
    ++digits;
  }
  for (int i = digits; i < 6; ++i) micros *= 10;
  const std::int64_t us = seconds * 1'000'000 + micros + (round_up ? 1 : 0);
  if (us > kMaxTraceTimeUs) return std::nullopt;
  return us;
}

void append_seconds(std::string& out, std::int64_t us, bool fixed) {
  char buf[32];
  const std::int64_t whole = us / 1'000'000;
  auto frac = static_cast<std::uint32_t>(us % 1'000'000);
  char* end = std::to_chars(buf, buf + sizeof buf, whole).ptr;
  if (frac != 0 || fixed) {
    *end++ = '.';
    int digits = 6;
    if (!fixed) {
      while (frac % 10 == 0) {
        frac /= 10;
        --digits;
      }
    }
    for (int i = digits - 1; i >= 0; --i) {
      end[i] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    end += digits;
  }
  out.append(buf, end);
}

std::string format_seconds(std::int64_t us) {
  std::string s;
  append_seconds(s, us, false);
  return s;
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string quote_field(std::string_view text) {
  const bool cut = text.size() > 40;
  if (cut) text = text.substr(0, 40);
  std::string q = "'";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      q += fmt::format("\\x{:02x}", u);
    } else {
      q += c;
    }
  }
  q += cut ? "...'" : "'";
  return q;
}

}  // namespace jettison::traces
