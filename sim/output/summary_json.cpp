#include "sim/output/summary_json.hpp"

#include <optional>
#include <string_view>

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
  std::vector<StrategyFigures> figures;
  for (const StrategyResult& r : results) figures.push_back(strategy_figures(r, s));
  for (std::size_t i = 0; i < results.size(); ++i) {
    const StrategyResult& r = results[i];
    const StrategyFigures& f = figures[i];
    nlohmann::ordered_json by_length = nlohmann::ordered_json::object();
    for (std::size_t c = 0; c < kLengthClassNames.size(); ++c) {
      by_length[std::string(kLengthClassNames[c])] = f.savings_pct_by_length[c];
    }
    strategies[r.strategy] = {
        {"energy_kwh", f.energy_kwh},
        {"baseline_energy_kwh", f.baseline_energy_kwh},
        {"savings_pct", f.savings_pct},
        {"savings_pct_periods_10min_plus", f.savings_pct_periods_10min_plus},
        {"savings_pct_periods_up_to_30min", f.savings_pct_periods_up_to_30min},
        {"savings_pct_by_idle_length", by_length},
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
        {"migration_latency_uncontended_s", latency(f.migration_latency_uncontended)},
        {"contention_slowdown_p50", f.contention_slowdown_p50},
        {"reintegration_latency_s", latency(f.reintegration_latency)},
        {"server_peak_memory_bytes", f.server_peak_memory_bytes},
        {"server_energy_kwh", f.server_energy_kwh},
        {"periods", f.periods},
        {"migrations", f.migrations},
        {"aborted_migrations", f.aborted_migrations},
        {"server_refusals", f.server_refusals},
        {"servers_energy_kwh", f.servers_energy_kwh},
        {"server_mean_memory_bytes", f.server_mean_memory_bytes},
        {"server_peak_vms", f.server_peak_vms},
        {"server_mean_vms", f.server_mean_vms},
        {"consolidation_ratio", f.consolidation_ratio},
        {"server_overcommits", f.server_overcommits},
        {"flows", f.flows},
        {"peak_concurrent_flows", f.peak_concurrent_flows},
        {"peak_link_utilisation", f.peak_link_utilisation},
        {"skipped_periods", f.skipped_periods},
        {"idle_hours", f.idle_hours},
        {"moved_per_migration_bytes", f.moved_per_migration_bytes},
        {"moved_fraction_of_vm_pct", f.moved_fraction_of_vm_pct},
        {"events", f.events},
    };
  }
  // Partial against full on the same traces, when both ran.
  const auto index_of = [&](std::string_view name) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < results.size(); ++i)
      if (results[i].strategy == name) return i;
    return std::nullopt;
  };
  const auto partial = index_of("partial");
  const auto full = index_of("full");
  if (partial && full) {
    const PartialVsFull c = partial_vs_full(figures[*partial], figures[*full]);
    strategies["partial"]["vs_full"] = {{"savings_ratio_pct", c.savings_ratio_pct},
                                        {"network_ratio_pct", c.network_ratio_pct},
                                        {"migration_latency_speedup", c.migration_latency_speedup}};
  }
  return {{"scenario", s.name},
          {"source", s.source},
          {"seed", s.seed},
          {"desktops", s.desktops.size()},
          {"servers", s.servers.list.size()},
          {"topology", s.network.topology},
          {"events", events},
          {"wall_seconds", wall_seconds},
          {"strategies", strategies}};
}

}  // namespace jettison::sim
