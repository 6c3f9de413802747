#include "sim/metrics/strategy_totals.hpp"

namespace jettison::sim {

void Totals::add(const PeriodRecord& r) {
  ++periods;
  idle += r.idle;
  window += r.window;
  asleep += r.state_time[index_of(PowerState::kAsleep)];
  energy += r.energy;
  baseline += r.baseline;
  server_energy += r.server_energy;
  migrated += r.migrated;
  fetched += r.fetched;
  prefetched += r.prefetched;
  prefetched_pages += r.prefetched_pages;
  prefetch_used += r.prefetch_used;
  reintegrated += r.reintegrated;
  fetched_pages += r.fetched_pages;
  wakeups += r.wakeups;
  migrations += r.outcome == Outcome::kMigrated ? 1 : 0;
  aborted += r.outcome == Outcome::kAborted ? 1 : 0;
  refused += r.outcome == Outcome::kRefused ? 1 : 0;
}

void StrategyTotals::add(const PeriodRecord& r) {
  all.add(r);
  if (r.idle >= Duration::seconds(600)) long_periods.add(r);
  per_desktop[r.desktop].add(r);
  if (r.migration_latency) migration_latency_us.push_back(r.migration_latency->us());
  if (r.return_latency) return_latency_us.push_back(r.return_latency->us());
}

}  // namespace jettison::sim
