#include "sim/output/strategy_figures.hpp"

#include "sim/metrics/latency_summary.hpp"

namespace jettison::sim {
namespace {

LatencyFigures latency(const std::vector<std::int64_t>& samples) {
  const LatencySummary s = summarize(samples);
  return {s.p50.seconds_f(), s.p95.seconds_f(), s.p99.seconds_f(), s.max.seconds_f(), s.count};
}

}  // namespace

StrategyFigures strategy_figures(const StrategyResult& r) {
  const Totals& t = r.totals.all;
  StrategyFigures f;
  f.energy_kwh = t.energy.kwh();
  f.baseline_energy_kwh = t.baseline.kwh();
  f.savings_pct = t.savings_pct();
  f.savings_pct_periods_10min_plus = r.totals.long_periods.savings_pct();
  f.network_bytes = t.network().count();
  f.migrated_bytes = t.migrated.count();
  f.fetched_pages = t.fetched_pages;
  f.prefetched_pages = t.prefetched_pages;
  f.prefetched_bytes = t.prefetched.count();
  f.prefetch_used_pages = t.prefetch_used;
  f.prefetch_precision = t.prefetch_precision();
  f.prefetch_coverage = t.prefetch_coverage();
  f.reintegrated_bytes = t.reintegrated.count();
  f.wakeups = t.wakeups;
  f.sleep_fraction = t.sleep_fraction();
  f.migration_latency = latency(r.totals.migration_latency_us);
  f.reintegration_latency = latency(r.totals.return_latency_us);
  f.server_peak_memory_bytes = r.server_peak.count();
  f.server_energy_kwh = t.server_energy.kwh();
  f.periods = t.periods;
  f.migrations = t.migrations;
  f.aborted_migrations = t.aborted;
  f.server_refusals = r.server_refusals;
  f.skipped_periods = r.totals.skipped_periods;
  f.idle_hours = t.idle.seconds_f() / 3600.0;
  f.events = r.events;
  return f;
}

}  // namespace jettison::sim
