#include "sim/sweep/sweep_csv.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace jettison::sim {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted(1, '"');
  for (char c : text) {
    if (c == '"') quoted.push_back('"');  // doubled
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

void write_sweep_csv(std::ostream& out, const Grid& grid, const std::vector<SweepPointResult>& points) {
  out << "point";
  for (const GridAxis& a : grid.axes) out << ',' << csv_field(a.key);
  if (grid.replicates > 0) out << ",replicate,seed";
  out << ",strategy,energy_kwh,baseline_energy_kwh,savings_pct,savings_pct_periods_10min_plus,network_bytes,"
         "migrated_bytes,fetched_pages,reintegrated_bytes,wakeups,sleep_fraction,migration_latency_p50_s,"
         "migration_latency_p95_s,reintegration_latency_p50_s,reintegration_latency_p95_s,"
         "server_peak_memory_bytes,prefetched_pages,prefetch_precision,prefetch_coverage,events,"
         "migration_latency_uncontended_p50_s,contention_slowdown_p50,peak_link_utilisation,flows,"
         "server_peak_vms,consolidation_ratio,server_refusals,servers_energy_kwh,"
         "oracle_energy_kwh,oracle_savings_pct,oracle_wakeups\n";
  for (std::size_t p = 0; p < points.size(); ++p) {
    std::string values;
    for (const std::string& v : grid.values(p)) values.append(1, ',').append(csv_field(v));
    if (grid.replicates > 0) values += fmt::format(",{},{}", grid.replicate(p), grid.seed(p));
    for (const auto& [strategy, f] : points[p].strategies) {
      // Doubles print in their shortest exact form, as in summary.json.
      fmt::print(out, "{}{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}", p, values,
                 csv_field(strategy), f.energy_kwh, f.baseline_energy_kwh, f.savings_pct,
                 f.savings_pct_periods_10min_plus, f.network_bytes, f.migrated_bytes, f.fetched_pages,
                 f.reintegrated_bytes, f.wakeups, f.sleep_fraction, f.migration_latency.p50_s,
                 f.migration_latency.p95_s, f.reintegration_latency.p50_s, f.reintegration_latency.p95_s,
                 f.server_peak_memory_bytes, f.prefetched_pages, f.prefetch_precision, f.prefetch_coverage,
                 f.events);
      fmt::print(out, ",{},{},{},{},{},{},{},{}", f.migration_latency_uncontended.p50_s,
                 f.contention_slowdown_p50, f.peak_link_utilisation, f.flows, f.server_peak_vms,
                 f.consolidation_ratio, f.server_refusals, f.servers_energy_kwh);
      // The offline optimum for partial rows: the same point with the oracle sleep scheduler (the
      // point's own figures when it already is the oracle).
      const StrategyFigures* oracle = nullptr;
      if (strategy == "partial") oracle = points[p].partial_oracle ? &*points[p].partial_oracle : &f;
      if (oracle) {
        fmt::print(out, ",{},{},{}\n", oracle->energy_kwh, oracle->savings_pct, oracle->wakeups);
      } else {
        out << ",,,\n";
      }
    }
  }
}

}  // namespace jettison::sim
