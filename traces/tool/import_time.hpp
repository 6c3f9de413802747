// Times of imported activity data, and the calendar origin of a trace (traces/FORMAT.md, "Calendar
// origin"). Without an origin, a time is seconds since the trace's t = 0 (`12`, `3600.5`), as trace
// times are written. With `--origin`, times are absolute and t = 0 is the origin:
//   - ISO 8601 date-times with a zone: 2026-03-02T09:15:00+01:00, 2026-03-02T08:15Z,
//     2026-03-02 09:15:00.25+0100 (seconds and up to 6 decimals optional; a space may stand for T);
//     a time without a zone is an error (its instant would be a guess);
//   - Unix epoch seconds: 1772439300, 1772439300.5.
// The origin is a local midnight with its UTC offset, `2026-03-02T00:00+01:00` (or `2026-03-02+01:00`):
// day d of the trace is that date + d, so weekday and hour-of-day figures follow the real calendar.
// Offsets are fixed: data that crosses a daylight-saving change converts correctly when each time
// carries its own offset (+01:00 before, +02:00 after), while the calendar figures stay in the
// origin's offset (summer hours show one hour early for a winter origin).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jettison::traces {

struct TraceOrigin {
  std::int64_t epoch_us = 0;       // the origin instant, microseconds since 1970-01-01T00:00Z
  std::int32_t offset_min = 0;     // its UTC offset, minutes (+60 for +01:00)
  std::int32_t first_weekday = 0;  // weekday of day 0: 0 = Monday ... 6 = Sunday
  std::string text;                // canonical: 2026-03-02T00:00:00+01:00
};

// An ISO 8601 date-time with a zone, as microseconds since the Unix epoch; nullopt with `why` set
// when `text` is not one (why: what is wrong, e.g. "month 13 does not exist", "no time zone").
std::optional<std::int64_t> parse_iso8601_us(std::string_view text, std::string& why);

// `--origin`: a local midnight with its offset. Throws InputError("<key>", ...) otherwise.
TraceOrigin parse_origin(std::string_view text, const std::string& key = "--origin");

// A time field of imported data in trace microseconds (see above); nullopt with `why` set when it
// is not a time or lies before the origin.
std::optional<std::int64_t> import_time_us(std::string_view field, const std::optional<TraceOrigin>& origin,
                                           std::string& why);

// The origin file beside a trace: "<trace>.origin" (traces/FORMAT.md).
std::string origin_file_of(const std::string& trace);
// Reads "<trace>.origin" when it exists (InputError naming it and line 1 when it is not an origin).
std::optional<TraceOrigin> read_origin_file(const std::string& trace);

}  // namespace jettison::traces
