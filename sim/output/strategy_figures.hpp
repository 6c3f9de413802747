// A strategy's result as the named figures the outputs report (summary.json, sweep.csv): each
// formula lives here once. Names follow summary.json's keys.
#pragma once

#include <cstdint>

#include "sim/run/strategy_run.hpp"

namespace jettison::sim {

// Nearest-rank percentiles of a set of latencies, in seconds.
struct LatencyFigures {
  double p50_s = 0, p95_s = 0, p99_s = 0, max_s = 0;
  std::uint64_t count = 0;
};

struct StrategyFigures {
  double energy_kwh = 0;
  double baseline_energy_kwh = 0;
  double savings_pct = 0;
  double savings_pct_periods_10min_plus = 0;
  std::uint64_t network_bytes = 0;
  std::uint64_t migrated_bytes = 0;
  std::uint64_t fetched_pages = 0;
  std::uint64_t prefetched_pages = 0;
  std::uint64_t prefetched_bytes = 0;
  std::uint64_t prefetch_used_pages = 0;  // prefetched pages the VM then touched (faults avoided)
  double prefetch_precision = 0;  // prefetched pages later used / prefetched pages
  double prefetch_coverage = 0;   // faults avoided / faults there would have been
  std::uint64_t reintegrated_bytes = 0;
  std::uint64_t wakeups = 0;
  double sleep_fraction = 0;
  LatencyFigures migration_latency;
  LatencyFigures reintegration_latency;  // user-visible return latency: resume plus reintegration
  std::uint64_t server_peak_memory_bytes = 0;
  double server_energy_kwh = 0;
  std::uint64_t periods = 0;
  std::uint64_t migrations = 0;
  std::uint64_t aborted_migrations = 0;
  std::uint64_t server_refusals = 0;
  std::uint64_t skipped_periods = 0;
  double idle_hours = 0;
  std::uint64_t events = 0;
};

StrategyFigures strategy_figures(const StrategyResult& r);

}  // namespace jettison::sim
