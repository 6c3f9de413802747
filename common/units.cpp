#include "common/units.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>

namespace jettison {
namespace {

struct UnitDef {
  std::string_view symbol;
  UnitKind kind;
  double factor;  // to W, microseconds, bytes or bits per second
};

constexpr std::array kUnits{
    UnitDef{"mW", UnitKind::kPower, 1e-3},          UnitDef{"W", UnitKind::kPower, 1.0},
    UnitDef{"kW", UnitKind::kPower, 1e3},           UnitDef{"us", UnitKind::kDuration, 1.0},
    UnitDef{"ms", UnitKind::kDuration, 1e3},        UnitDef{"s", UnitKind::kDuration, 1e6},
    UnitDef{"min", UnitKind::kDuration, 60e6},      UnitDef{"h", UnitKind::kDuration, 3600e6},
    UnitDef{"d", UnitKind::kDuration, 86400e6},     UnitDef{"B", UnitKind::kBytes, 1.0},
    UnitDef{"KiB", UnitKind::kBytes, 1024.0},       UnitDef{"MiB", UnitKind::kBytes, 1048576.0},
    UnitDef{"GiB", UnitKind::kBytes, 1073741824.0}, UnitDef{"TiB", UnitKind::kBytes, 1099511627776.0},
    UnitDef{"kB", UnitKind::kBytes, 1e3},           UnitDef{"MB", UnitKind::kBytes, 1e6},
    UnitDef{"GB", UnitKind::kBytes, 1e9},           UnitDef{"bps", UnitKind::kBandwidth, 1.0},
    UnitDef{"Kbps", UnitKind::kBandwidth, 1e3},     UnitDef{"kbps", UnitKind::kBandwidth, 1e3},
    UnitDef{"Mbps", UnitKind::kBandwidth, 1e6},     UnitDef{"Gbps", UnitKind::kBandwidth, 1e9},
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits "12.5 MiB" into 12.5 x 1048576 after checking the unit is of the wanted kind.
double parse_scaled(std::string_view text, UnitKind want) {
  const std::string_view s = trim(text);
  double value = 0.0;
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(begin, end, value, std::chars_format::fixed);
  if (ec != std::errc() || ptr == begin) {
    throw UnitError(fmt::format("'{}' is not a {} (expected a number with a unit, e.g. {})", text,
                                unit_kind_name(want), unit_kind_examples(want)));
  }
  if (!std::isfinite(value)) throw UnitError(fmt::format("'{}' is not a finite number", text));
  const std::string_view unit = trim(std::string_view(ptr, static_cast<std::size_t>(end - ptr)));
  if (unit.empty()) {
    throw UnitError(fmt::format("'{}' has no unit: a {} needs one, e.g. {}", text, unit_kind_name(want),
                                unit_kind_examples(want)));
  }
  for (const UnitDef& u : kUnits) {
    if (u.symbol != unit) continue;
    if (u.kind != want) {
      throw UnitError(fmt::format("'{}' is a {}, but a {} is expected here (e.g. {})", text,
                                  unit_kind_name(u.kind), unit_kind_name(want), unit_kind_examples(want)));
    }
    if (value < 0) {
      throw UnitError(fmt::format("'{}': a {} must not be negative", text, unit_kind_name(want)));
    }
    return value * u.factor;
  }
  throw UnitError(fmt::format("'{}' has an unknown unit '{}': a {} takes {}", text, unit,
                              unit_kind_name(want), unit_kind_examples(want)));
}

std::int64_t to_int64(double v, std::string_view text) {
  if (v > 9.0e15) throw UnitError(fmt::format("'{}' is too large", text));
  return std::llround(v);
}

}  // namespace

std::string_view unit_kind_name(UnitKind kind) {
  switch (kind) {
    case UnitKind::kPower:
      return "power";
    case UnitKind::kDuration:
      return "duration";
    case UnitKind::kBytes:
      return "size";
    case UnitKind::kBandwidth:
      return "bandwidth";
  }
  return "quantity";
}

std::string_view unit_kind_examples(UnitKind kind) {
  switch (kind) {
    case UnitKind::kPower:
      return "60W, 2.5W (units mW, W, kW)";
    case UnitKind::kDuration:
      return "250ms, 10s, 10min, 8h, 7d (units us, ms, s, min, h, d)";
    case UnitKind::kBytes:
      return "4KiB, 512MiB, 4GiB (units B, KiB, MiB, GiB, TiB, kB, MB, GB)";
    case UnitKind::kBandwidth:
      return "100Mbps, 1Gbps (units bps, Kbps, Mbps, Gbps)";
  }
  return "";
}

Power parse_power(std::string_view text) { return Power::watts(parse_scaled(text, UnitKind::kPower)); }

Duration parse_duration(std::string_view text) {
  return Duration::micros(to_int64(parse_scaled(text, UnitKind::kDuration), text));
}

Bytes parse_bytes(std::string_view text) {
  return Bytes::of(static_cast<std::uint64_t>(to_int64(parse_scaled(text, UnitKind::kBytes), text)));
}

Bandwidth parse_bandwidth(std::string_view text) {
  return Bandwidth::bits_per_second(parse_scaled(text, UnitKind::kBandwidth));
}

std::string format_bytes(Bytes b) {
  constexpr std::array<std::string_view, 5> kNames{"B", "KiB", "MiB", "GiB", "TiB"};
  auto v = static_cast<double>(b.count());
  std::size_t i = 0;
  while (v >= 1024.0 && i + 1 < kNames.size()) {
    v /= 1024.0;
    ++i;
  }
  return i == 0 ? fmt::format("{} B", b.count()) : fmt::format("{:.1f} {}", v, kNames[i]);
}

}  // namespace jettison
