// A strategy's result as the named figures the outputs report (summary.json, sweep.csv): each
// formula lives here once. Names follow summary.json's keys.
#pragma once

#include <array>
#include <cstdint>

#include "sim/metrics/strategy_result.hpp"
#include "sim/scenario/scenario.hpp"

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
  double savings_pct_periods_up_to_30min = 0;
  std::array<double, 4> savings_pct_by_length{};  // by LengthClass (kLengthClassNames)
  std::uint64_t network_bytes = 0;
  std::uint64_t migrated_bytes = 0;
  std::uint64_t fetched_pages = 0;
  std::uint64_t prefetched_pages = 0;
  std::uint64_t prefetched_bytes = 0;
  std::uint64_t prefetch_used_pages = 0;  // prefetched pages the VM then touched (faults avoided)
  double prefetch_precision = 0;          // prefetched pages later used / prefetched pages
  double prefetch_coverage = 0;           // faults avoided / faults there would have been
  std::uint64_t reintegrated_bytes = 0;
  std::uint64_t wakeups = 0;
  double sleep_fraction = 0;
  LatencyFigures migration_latency;
  LatencyFigures migration_latency_uncontended;  // the same migrations alone on an idle network
  double contention_slowdown_p50 = 0;            // median migration latency over its uncontended median
  LatencyFigures reintegration_latency;          // user-visible return latency: resume plus reintegration
  std::uint64_t server_peak_memory_bytes = 0;
  double server_energy_kwh = 0;
  std::uint64_t periods = 0;
  std::uint64_t migrations = 0;
  std::uint64_t aborted_migrations = 0;
  std::uint64_t server_refusals = 0;
  // The servers over the run (always on): their whole draw, and how full they were.
  double servers_energy_kwh = 0;
  double server_mean_memory_bytes = 0;   // summed over servers, time-weighted
  std::uint32_t server_peak_vms = 0;     // the most VMs one server hosted at once
  double server_mean_vms = 0;            // summed over servers, time-weighted
  double consolidation_ratio = 0;        // hosted VM-time / time servers hosted anything
  std::uint64_t server_overcommits = 0;  // hosted partial VMs grew a server past its memory
  // The network: flows started, their peak concurrency, the busiest link direction.
  std::uint64_t flows = 0;
  std::uint64_t peak_concurrent_flows = 0;
  double peak_link_utilisation = 0;
  std::uint64_t skipped_periods = 0;
  double idle_hours = 0;
  // Bytes that crossed the network per migrated period, and that as a share of the VM's memory.
  double moved_per_migration_bytes = 0;
  double moved_fraction_of_vm_pct = 0;
  std::uint64_t events = 0;
};

// `s` gives the VMs' memory for moved_fraction_of_vm_pct.
StrategyFigures strategy_figures(const StrategyResult& r, const Scenario& s);

// How partial migration compares with full on the same traces (the papers' claims).
struct PartialVsFull {
  double savings_ratio_pct = 0;          // partial's savings as a share of full's
  double network_ratio_pct = 0;          // partial's bytes as a share of full's
  double migration_latency_speedup = 0;  // full's median migration latency over partial's
};
PartialVsFull partial_vs_full(const StrategyFigures& partial, const StrategyFigures& full);

}  // namespace jettison::sim
