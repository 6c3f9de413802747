#include "sim/output/strategy_figures.hpp"

#include <algorithm>

#include "sim/metrics/latency_summary.hpp"

namespace jettison::sim {
namespace {

LatencyFigures latency(const LatencySamples& samples) {
  const LatencySummary s = summarize(samples);
  return {s.p50.seconds_f(), s.p95.seconds_f(), s.p99.seconds_f(), s.max.seconds_f(), s.count};
}

}  // namespace

StrategyFigures strategy_figures(const StrategyResult& r, const Scenario& s) {
  const Totals& t = r.totals.all;
  StrategyFigures f;
  f.energy_kwh = t.energy.kwh();
  f.baseline_energy_kwh = t.baseline.kwh();
  f.savings_pct = t.savings_pct();
  f.savings_pct_periods_10min_plus = r.totals.long_periods.savings_pct();
  f.savings_pct_periods_up_to_30min = r.totals.short_periods.savings_pct();
  for (std::size_t i = 0; i < f.savings_pct_by_length.size(); ++i) {
    f.savings_pct_by_length[i] = r.totals.by_length[i].savings_pct();
  }
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
  f.migration_latency_uncontended = latency(r.totals.migration_latency_uncontended_us);
  if (f.migration_latency_uncontended.p50_s > 0) {
    f.contention_slowdown_p50 = f.migration_latency.p50_s / f.migration_latency_uncontended.p50_s;
  }
  f.reintegration_latency = latency(r.totals.return_latency_us);
  f.server_peak_memory_bytes = r.server_peak.count();
  f.server_energy_kwh = t.server_energy.kwh();
  f.periods = t.periods;
  f.migrations = t.migrations;
  f.aborted_migrations = t.aborted;
  f.server_refusals = r.server_refusals;
  double busy_s = 0, vm_s = 0;
  for (const ServerFigures& sv : r.servers) {
    f.servers_energy_kwh += sv.energy.kwh();
    f.server_mean_memory_bytes += sv.mean_memory_bytes;
    f.server_peak_vms = std::max(f.server_peak_vms, sv.peak_vms);
    f.server_mean_vms += sv.mean_vms;
    f.server_overcommits += sv.overcommitted;
    busy_s += sv.busy.seconds_f();
    vm_s += sv.vm_seconds;
  }
  if (busy_s > 0) f.consolidation_ratio = vm_s / busy_s;
  f.flows = r.flows;
  f.peak_concurrent_flows = r.peak_concurrent_flows;
  for (const LinkFigures& l : r.links)
    f.peak_link_utilisation = std::max(f.peak_link_utilisation, l.peak_utilisation);
  f.skipped_periods = r.totals.skipped_periods;
  f.idle_hours = t.idle.seconds_f() / 3600.0;
  if (t.migrations > 0) {
    double memory = 0;
    for (const DesktopSpec& d : s.desktops) memory += static_cast<double>(d.vm_memory().count());
    memory /= static_cast<double>(s.desktops.size());
    f.moved_per_migration_bytes =
        static_cast<double>(t.network().count()) / static_cast<double>(t.migrations);
    f.moved_fraction_of_vm_pct = 100.0 * f.moved_per_migration_bytes / memory;
  }
  f.events = r.events;
  return f;
}

PartialVsFull partial_vs_full(const StrategyFigures& partial, const StrategyFigures& full) {
  PartialVsFull c;
  if (full.savings_pct != 0) c.savings_ratio_pct = 100.0 * partial.savings_pct / full.savings_pct;
  if (full.network_bytes > 0) {
    c.network_ratio_pct =
        100.0 * static_cast<double>(partial.network_bytes) / static_cast<double>(full.network_bytes);
  }
  if (partial.migration_latency.p50_s > 0) {
    c.migration_latency_speedup = full.migration_latency.p50_s / partial.migration_latency.p50_s;
  }
  return c;
}

}  // namespace jettison::sim
