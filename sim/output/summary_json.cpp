#include "sim/output/summary_json.hpp"

#include "sim/output/strategy_figures.hpp"

namespace jettison::sim {
namespace {

nlohmann::ordered_json latency(const LatencyFigures& l) {
  return {{"p50", l.p50_s}, {"p95", l.p95_s}, {"p99", l.p99_s}, {"max", l.max_s}, {"count", l.count}};
}

}  // namespace

nlohmann::ordered_json make_summary(const Scenario& s, const std::vector<StrategyResult>& results,
                                    double wall_seconds) {
  std::uint64_t events = 0;
  for (const auto& r : results) events += r.events;
  nlohmann::ordered_json strategies = nlohmann::ordered_json::object();
  for (const StrategyResult& r : results) {
    const StrategyFigures f = strategy_figures(r);
    strategies[r.strategy] = {
        {"energy_kwh", f.energy_kwh},
        {"baseline_energy_kwh", f.baseline_energy_kwh},
        {"savings_pct", f.savings_pct},
        {"savings_pct_periods_10min_plus", f.savings_pct_periods_10min_plus},
        {"network_bytes", f.network_bytes},
        {"migrated_bytes", f.migrated_bytes},
        {"fetched_pages", f.fetched_pages},
        {"prefetched_pages", f.prefetched_pages},
        {"prefetched_bytes", f.prefetched_bytes},
        {"prefetch_used_pages", f.prefetch_used_pages},
        {"prefetch_precision", f.prefetch_precision},
        {"prefetch_coverage", f.prefetch_coverage},
        {"reintegrated_bytes", f.reintegrated_bytes},
        {"wakeups", f.wakeups},
        {"sleep_fraction", f.sleep_fraction},
        {"migration_latency_s", latency(f.migration_latency)},
        {"reintegration_latency_s", latency(f.reintegration_latency)},
        {"server_peak_memory_bytes", f.server_peak_memory_bytes},
        {"server_energy_kwh", f.server_energy_kwh},
        {"periods", f.periods},
        {"migrations", f.migrations},
        {"aborted_migrations", f.aborted_migrations},
        {"server_refusals", f.server_refusals},
        {"skipped_periods", f.skipped_periods},
        {"idle_hours", f.idle_hours},
        {"events", f.events},
    };
  }
  return {{"scenario", s.name},          {"source", s.source},
          {"seed", s.seed},              {"desktops", s.desktops.size()},
          {"events", events},            {"wall_seconds", wall_seconds},
          {"strategies", strategies}};
}

}  // namespace jettison::sim
