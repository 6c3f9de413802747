#include "sim/output/summary_json.hpp"

#include "sim/metrics/latency_summary.hpp"

namespace jettison::sim {
namespace {

nlohmann::ordered_json latency(const std::vector<std::int64_t>& samples) {
  const LatencySummary s = summarize(samples);
  return {{"p50", s.p50.seconds_f()}, {"p95", s.p95.seconds_f()}, {"p99", s.p99.seconds_f()},
          {"max", s.max.seconds_f()}, {"count", s.count}};
}

}  // namespace

nlohmann::ordered_json make_summary(const Scenario& s, const std::vector<StrategyResult>& results,
                                    double wall_seconds) {
  std::uint64_t events = 0;
  for (const auto& r : results) events += r.events;
  nlohmann::ordered_json strategies = nlohmann::ordered_json::object();
  for (const StrategyResult& r : results) {
    const Totals& t = r.totals.all;
    strategies[r.strategy] = {
        {"energy_kwh", t.energy.kwh()},
        {"baseline_energy_kwh", t.baseline.kwh()},
        {"savings_pct", t.savings_pct()},
        {"savings_pct_periods_10min_plus", r.totals.long_periods.savings_pct()},
        {"network_bytes", t.network().count()},
        {"migrated_bytes", t.migrated.count()},
        {"fetched_pages", t.fetched_pages},
        {"reintegrated_bytes", t.reintegrated.count()},
        {"wakeups", t.wakeups},
        {"sleep_fraction", t.sleep_fraction()},
        {"migration_latency_s", latency(r.totals.migration_latency_us)},
        {"reintegration_latency_s", latency(r.totals.return_latency_us)},
        {"server_peak_memory_bytes", r.server_peak.count()},
        {"server_energy_kwh", t.server_energy.kwh()},
        {"periods", t.periods},
        {"migrations", t.migrations},
        {"aborted_migrations", t.aborted},
        {"server_refusals", r.server_refusals},
        {"skipped_periods", r.totals.skipped_periods},
        {"idle_hours", t.idle.seconds_f() / 3600.0},
        {"events", r.events},
    };
  }
  return {{"scenario", s.name},          {"source", s.source},
          {"seed", s.seed},              {"desktops", s.desktops.size()},
          {"events", events},            {"wall_seconds", wall_seconds},
          {"strategies", strategies}};
}

}  // namespace jettison::sim
