// Adds up a strategy's period records: for the whole run and per desktop (compact: desktops.csv's
// figures only), and the latencies for their percentiles (compact: distinct values).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/metrics/desktop_totals.hpp"
#include "sim/metrics/latency_samples.hpp"
#include "sim/metrics/period_record.hpp"
#include "sim/metrics/period_sums.hpp"

namespace jettison::sim {

struct Totals : PeriodSums<std::uint64_t> {
  Energy server_energy;
  Bytes fetched;
  Bytes prefetched;
  std::uint64_t prefetched_pages = 0;
  std::uint64_t prefetch_used = 0;

  void add(const PeriodRecord& r);
  Bytes network() const { return migrated + fetched + prefetched + reintegrated; }
  // Prefetched pages later used / prefetched pages.
  double prefetch_precision() const {
    return prefetched_pages ? static_cast<double>(prefetch_used) / static_cast<double>(prefetched_pages)
                            : 0.0;
  }
  // Faults avoided / faults there would have been: used prefetches / (used prefetches + demand fetches).
  double prefetch_coverage() const {
    const std::uint64_t would_fault = prefetch_used + fetched_pages;
    return would_fault ? static_cast<double>(prefetch_used) / static_cast<double>(would_fault) : 0.0;
  }
};

// Idle-period length classes of the reports (and of the papers' results).
enum class LengthClass : std::uint8_t { kUnder10Min, k10To30Min, k30To60Min, kOver1H };
inline constexpr std::array<std::string_view, 4> kLengthClassNames{"under_10min", "10_30min", "30_60min",
                                                                   "over_1h"};
LengthClass length_class(Duration idle);

struct StrategyTotals {
  explicit StrategyTotals(std::size_t desktops) : per_desktop(desktops) {}
  void add(const PeriodRecord& r);

  Totals all;
  Totals long_periods;              // idle periods of at least 10 minutes (the paper's headline class)
  Totals short_periods;             // idle periods up to 30 minutes (the thesis's short class)
  std::array<Totals, 4> by_length;  // by LengthClass
  std::vector<DesktopTotals> per_desktop;
  LatencySamples migration_latency_us;
  LatencySamples migration_latency_uncontended_us;  // the same migrations on an idle network
  LatencySamples return_latency_us;
  std::uint64_t skipped_periods = 0;
};

}  // namespace jettison::sim
