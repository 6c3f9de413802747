#include "traces/tool/import_time.hpp"

#include <date/date.h>
#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <fstream>

#include "common/input_error.hpp"
#include "traces/io/csv_fields.hpp"

namespace jettison::traces {
namespace {

constexpr std::int64_t kMinuteUs = 60'000'000;
constexpr std::int64_t kDayUs = 1440 * kMinuteUs;

// A strict left-to-right reader of the ISO 8601 subset above.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return i_ == s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  // Exactly `n` digits.
  std::optional<int> digits(int n) {
    int v = 0;
    for (int k = 0; k < n; ++k) {
      if (done() || !std::isdigit(static_cast<unsigned char>(s_[i_]))) return std::nullopt;
      v = v * 10 + (s_[i_++] - '0');
    }
    return v;
  }
  // 1 to 6 digits after a '.', as microseconds.
  std::optional<std::int64_t> fraction_us() {
    std::int64_t us = 0;
    int n = 0;
    while (!done() && std::isdigit(static_cast<unsigned char>(s_[i_]))) {
      if (++n > 6) return std::nullopt;
      us = us * 10 + (s_[i_++] - '0');
    }
    if (n == 0) return std::nullopt;
    for (; n < 6; ++n) us *= 10;
    return us;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

struct DateTime {
  date::sys_days day;
  std::int64_t local_us = 0;  // since the local midnight
  std::int32_t offset_min = 0;
};

// date ('T'|' ' time)? zone; the time is required unless `date_only_ok`.
std::optional<DateTime> parse_date_time(std::string_view text, bool date_only_ok, std::string& why) {
  Cursor c(text);
  const auto y = c.digits(4);
  if (!y || !c.eat('-')) return why = "expected a date YYYY-MM-DD", std::nullopt;
  const auto mo = c.digits(2);
  if (!mo || !c.eat('-')) return why = "expected a date YYYY-MM-DD", std::nullopt;
  const auto d = c.digits(2);
  if (!d) return why = "expected a date YYYY-MM-DD", std::nullopt;
  const date::year_month_day ymd{date::year{*y}, date::month{static_cast<unsigned>(*mo)},
                                 date::day{static_cast<unsigned>(*d)}};
  if (!ymd.month().ok()) return why = fmt::format("month {} does not exist", *mo), std::nullopt;
  if (!ymd.ok()) return why = fmt::format("{:04}-{:02} has no day {}", *y, *mo, *d), std::nullopt;
  DateTime out{date::sys_days{ymd}};
  if (c.eat('T') || c.eat(' ')) {
    const auto h = c.digits(2);
    if (!h || !c.eat(':')) return why = "expected a time hh:mm[:ss[.ffffff]] after the date", std::nullopt;
    const auto mi = c.digits(2);
    if (!mi) return why = "expected a time hh:mm[:ss[.ffffff]] after the date", std::nullopt;
    int s = 0;
    std::int64_t frac = 0;
    if (c.eat(':')) {
      const auto sec = c.digits(2);
      if (!sec) return why = "expected seconds ss after hh:mm:", std::nullopt;
      s = *sec;
      if (c.eat('.')) {
        const auto f = c.fraction_us();
        if (!f) return why = "expected 1 to 6 decimals of a second", std::nullopt;
        frac = *f;
      }
    }
    if (*h > 23 || *mi > 59 || s > 59)
      return why = fmt::format("{:02}:{:02}:{:02} is not a time of day", *h, *mi, s), std::nullopt;
    out.local_us = ((*h * 60 + *mi) * 60 + s) * 1'000'000LL + frac;
  } else if (!date_only_ok) {
    return why = "expected a time after the date (YYYY-MM-DDThh:mm...)", std::nullopt;
  }
  if (c.eat('Z')) {
    out.offset_min = 0;
  } else if (c.peek() == '+' || c.peek() == '-') {
    const int sign = c.eat('-') ? -1 : (c.eat('+'), 1);
    const auto oh = c.digits(2);
    if (!oh) return why = "expected a UTC offset +hh:mm", std::nullopt;
    c.eat(':');
    const auto om = c.digits(2);
    if (!om) return why = "expected a UTC offset +hh:mm", std::nullopt;
    if (*oh > 23 || *om > 59) return why = "the UTC offset is out of range", std::nullopt;
    out.offset_min = sign * (*oh * 60 + *om);
  } else if (c.done()) {
    return why = "no time zone: add Z or a UTC offset such as +01:00", std::nullopt;
  } else {
    return why = "unexpected characters after the time", std::nullopt;
  }
  if (!c.done()) return why = "unexpected characters after the time zone", std::nullopt;
  return out;
}

std::int64_t epoch_us_of(const DateTime& t) {
  return static_cast<std::int64_t>(t.day.time_since_epoch().count()) * kDayUs + t.local_us -
         t.offset_min * kMinuteUs;
}

bool looks_like_date(std::string_view s) { return s.size() >= 5 && s[4] == '-'; }

}  // namespace

std::optional<std::int64_t> parse_iso8601_us(std::string_view text, std::string& why) {
  const auto t = parse_date_time(text, false, why);
  if (!t) return std::nullopt;
  return epoch_us_of(*t);
}

TraceOrigin parse_origin(std::string_view text, const std::string& key) {
  std::string why;
  const auto t = parse_date_time(text, true, why);
  if (!t) {
    throw InputError(key, fmt::format("{} is not a date with its UTC offset, e.g. 2026-03-02T00:00+01:00: {}",
                                      quote_field(text), why));
  }
  if (t->local_us != 0) {
    throw InputError(key, fmt::format("{} is not a midnight: the trace's day 0 starts at 00:00 local time",
                                      quote_field(text)));
  }
  TraceOrigin o;
  o.epoch_us = epoch_us_of(*t);
  o.offset_min = t->offset_min;
  o.first_weekday = static_cast<std::int32_t>(date::weekday{t->day}.iso_encoding()) - 1;
  const int off = t->offset_min < 0 ? -t->offset_min : t->offset_min;
  o.text = fmt::format("{}T00:00:00{}{:02}:{:02}", date::format("%F", t->day), t->offset_min < 0 ? '-' : '+',
                       off / 60, off % 60);
  return o;
}

std::optional<std::int64_t> import_time_us(std::string_view field, const std::optional<TraceOrigin>& origin,
                                           std::string& why) {
  if (!origin) {
    if (looks_like_date(field)) {
      why = "is a date-time: give --origin (the date and UTC offset of the trace's t = 0)";
      return std::nullopt;
    }
    const auto t = parse_seconds_us(field);
    if (!t) why = "is not a non-negative number of seconds (or, with --origin, a date-time or epoch seconds)";
    return t;
  }
  std::optional<std::int64_t> at;
  if (looks_like_date(field)) {
    std::string what;
    at = parse_iso8601_us(field, what);
    if (!at) {
      why = "is not an ISO 8601 date-time: " + what;
      return std::nullopt;
    }
  } else {
    at = parse_seconds_us(field);
    if (!at) {
      why = "is neither an ISO 8601 date-time with a zone nor Unix epoch seconds";
      return std::nullopt;
    }
  }
  if (*at < origin->epoch_us) {
    why = fmt::format("is before --origin {}", origin->text);
    return std::nullopt;
  }
  return *at - origin->epoch_us;
}

std::string origin_file_of(const std::string& trace) { return trace + ".origin"; }

std::optional<TraceOrigin> read_origin_file(const std::string& trace) {
  const std::string path = origin_file_of(trace);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) throw InputError(path + ":1", "empty: expected the trace's origin");
  return parse_origin(line, path + ":1");
}

}  // namespace jettison::traces
