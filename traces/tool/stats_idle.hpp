// Figures of an idle-period trace for `jettison-trace stats`. Read as a stream: memory grows with
// the number of desktops (a few counters each) and holds every period's length (8 bytes) for the
// percentiles; nothing else.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "traces/io/idle_trace_reader.hpp"
#include "traces/tool/import_time.hpp"
#include "traces/tool/stats_percentiles.hpp"

namespace jettison::traces {

struct IdleStats {
  std::uint64_t desktops = 0;  // desktops with at least one period
  std::uint64_t periods = 0;
  std::int64_t days = 0;  // whole days from t = 0 the per-day figures divide by
  double first_start_s = 0, last_end_s = 0;
  double total_idle_h = 0;
  double idle_h_per_desktop_day = 0;
  // The calendar: the trace's origin (its .origin file, or stats --origin), else none: day 0 is a
  // Monday (the generator's t = 0 is Monday 00:00). Day d is a weekday when (first_weekday + d) mod 7
  // < 5; hours are the origin's local hours (import_time.hpp).
  std::optional<TraceOrigin> origin;
  std::optional<double> weekday_idle_h, weekend_idle_h;  // per desktop per weekday / weekend day
  Distribution length_s;
  // Periods under 10 min, 10 to under 30 min, 30 to under 60 min, 1 h and more.
  std::array<std::uint64_t, 4> classes{};
  // Share of desktop-hours idle in each hour of the day (0 = 00:00-01:00), over `days` days.
  std::array<double, 24> hourly_share{};
};

// Reads every row. `days` overrides the span (default: the last end rounded up to whole days);
// `origin` puts day 0 on its date (default: a Monday).
IdleStats idle_stats(IdleTraceReader& reader, std::optional<std::int64_t> days = std::nullopt,
                     std::optional<TraceOrigin> origin = std::nullopt);

std::string idle_stats_text(const IdleStats& s, const std::string& file);
std::string idle_stats_json(const IdleStats& s, const std::string& file);

}  // namespace jettison::traces
