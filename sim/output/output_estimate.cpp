#include "sim/output/output_estimate.hpp"

#include <fmt/format.h>

#include <cmath>

#include "common/input_error.hpp"
#include "common/units.hpp"

namespace jettison::sim {
namespace {

Bytes times(double bytes) { return Bytes::of(static_cast<std::uint64_t>(std::llround(bytes))); }

}  // namespace

OutputEstimate estimate_output(const Scenario& s) {
  OutputEstimate e;
  const std::size_t simulated = s.desktops.size();
  const std::size_t traced = s.idle_trace.desktops().size();
  e.periods = simulated >= traced || traced == 0
                  ? s.idle_trace.periods
                  : static_cast<std::uint64_t>(std::llround(static_cast<double>(s.idle_trace.periods) *
                                                            static_cast<double>(simulated) /
                                                            static_cast<double>(traced)));
  double id_bytes = 0;
  for (const DesktopSpec& d : s.desktops) id_bytes += static_cast<double>(d.id.size());
  const double mean_id = simulated ? id_bytes / static_cast<double>(simulated) : 0;
  double csv = 0, desktops_csv = 0;
  for (const std::string& strategy : s.strategies) {
    const double names = static_cast<double>(strategy.size()) + mean_id;
    csv += static_cast<double>(e.periods) * (names + static_cast<double>(kPeriodRowBytes));
    desktops_csv += static_cast<double>(simulated) * (names + static_cast<double>(kDesktopRowBytes));
  }
  e.periods_csv = times(csv);
  switch (s.output.periods) {
    case PeriodsOutput::kCsv:
      e.periods_file = e.periods_csv;
      break;
    case PeriodsOutput::kCsvZst:
      e.periods_file = times(csv * kZstdRatio);
      break;
    case PeriodsOutput::kNone:
      break;
  }
  const double timeline_windows = simulated ? static_cast<double>(e.periods) *
                                                  static_cast<double>(s.timeline_desktops.size()) /
                                                  static_cast<double>(simulated)
                                            : 0.0;
  e.other = times(desktops_csv +
                  timeline_windows * static_cast<double>(s.strategies.size() * kTimelineWindowBytes));
  return e;
}

void check_output_budget(const Scenario& s) {
  if (!s.output.budget) return;
  const OutputEstimate e = estimate_output(s);
  if (e.total() <= *s.output.budget) return;
  const std::size_t n = s.strategies.size();
  std::string ways = "raise output.budget (or set it to none)";
  if (s.output.periods == PeriodsOutput::kCsv) {
    ways +=
        fmt::format(", write periods.csv.zst (output.periods: csv.zst, about {})",
                    format_bytes(times(static_cast<double>(e.periods_csv.count()) * kZstdRatio) + e.other));
  }
  if (s.output.periods != PeriodsOutput::kNone) {
    ways += fmt::format(" or no per-period file (output.periods: none, about {})", format_bytes(e.other));
  }
  throw InputError(s.output.budget_origin,
                   fmt::format("this run would write about {} ({} idle periods x {} strateg{} in {}, "
                               "estimated), more than the budget of {}: {}",
                               format_bytes(e.total()), e.periods, n, n == 1 ? "y" : "ies",
                               s.output.periods == PeriodsOutput::kNone  ? "desktops.csv"
                               : s.output.periods == PeriodsOutput::kCsv ? "periods.csv"
                                                                         : "periods.csv.zst",
                               format_bytes(*s.output.budget), ways));
}

}  // namespace jettison::sim
