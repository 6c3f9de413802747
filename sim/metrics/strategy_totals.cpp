#include "sim/metrics/strategy_totals.hpp"

#include <cassert>

namespace jettison::sim {

void Totals::add(const PeriodRecord& r) {
  PeriodSums::add(r);
  server_energy += r.server_energy;
  fetched += r.fetched;
  prefetched += r.prefetched;
  prefetched_pages += r.prefetched_pages;
  prefetch_used += r.prefetch_used;
}

LengthClass length_class(Duration idle) {
  if (idle < Duration::seconds(600)) return LengthClass::kUnder10Min;
  if (idle < Duration::seconds(1800)) return LengthClass::k10To30Min;
  if (idle < Duration::seconds(3600)) return LengthClass::k30To60Min;
  return LengthClass::kOver1H;
}

void StrategyTotals::add(const PeriodRecord& r) {
  all.add(r);
  if (r.idle >= Duration::seconds(600)) long_periods.add(r);
  if (r.idle <= Duration::seconds(1800)) short_periods.add(r);
  by_length[static_cast<std::size_t>(length_class(r.idle))].add(r);
  per_desktop[r.desktop].add(r);
  if (r.migration_latency) {
    migration_latency_us.add(r.migration_latency->us());
    assert(r.migration_latency_uncontended && "a migration knows its uncontended latency");
    migration_latency_uncontended_us.add(r.migration_latency_uncontended->us());
  }
  if (r.return_latency) return_latency_us.add(r.return_latency->us());
}

}  // namespace jettison::sim
