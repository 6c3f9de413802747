// Field splitting and exact number parsing for the trace CSV formats (traces/FORMAT.md). Times are
// decimal seconds turned into integer microseconds without passing through floating point.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jettison::traces {

// Strips what may surround a CSV header line: a trailing '\r' and a leading UTF-8 byte-order mark.
void clean_header_line(std::string& line);

// "file:12", or "file:record 12" for a binary trace (whose rows are records, not lines).
std::string row_origin(const std::string& file, std::uint64_t row, bool binary);

// Splits `line` on commas into `out` (views into `line`); strips one trailing '\r'.
void split_csv(std::string_view line, std::vector<std::string_view>& out);
// The same, storing at most `max_fields` + 1 fields (enough to see there are too many, however many
// commas follow); returns how many fields the line has.
std::size_t split_csv(std::string_view line, std::vector<std::string_view>& out, std::size_t max_fields);

// The largest time a trace may hold, in either format: 9 * 10^12 s (about 285,000 years).
inline constexpr std::int64_t kMaxTraceTimeUs = 9'000'000'000'000'000'000;

// "12", "12.5", "0.000001": non-negative decimal seconds to microseconds, rounding digits past the
// sixth decimal to the nearest microsecond. Returns nothing for anything else (signs, exponents,
// spaces, empty) and for times beyond kMaxTraceTimeUs.
std::optional<std::int64_t> parse_seconds_us(std::string_view text);

// Microseconds as decimal seconds, the canonical CSV spellings (traces/FORMAT.md):
// shortest: "3600", "3600.25", "0.000001" (no trailing zeros, no point for whole seconds; idle traces);
// fixed: always six decimals, "0.239000" (page traces).
void append_seconds(std::string& out, std::int64_t us, bool fixed);
std::string format_seconds(std::int64_t us);  // shortest

// A non-negative decimal integer that fits in 64 bits.
std::optional<std::uint64_t> parse_unsigned(std::string_view text);

// What a field holds, quoted and shortened for error messages (control bytes as \xNN).
std::string quote_field(std::string_view text);

}  // namespace jettison::traces
