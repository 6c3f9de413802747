// The sums of period records that both the run's totals (Totals) and each desktop's (DesktopTotals)
// keep, added in one place. `Count` is the type of the per-period counters: 64-bit for a run, 32-bit
// for the per-desktop totals a run holds one of per desktop and strategy.
#pragma once

#include <cstdint>

#include "sim/metrics/period_record.hpp"

namespace jettison::sim {

template <class Count>
struct PeriodSums {
  Energy energy;
  Energy baseline;
  Duration idle;
  Duration window;
  Duration asleep;
  Bytes migrated;
  Bytes reintegrated;
  std::uint64_t fetched_pages = 0;
  std::uint64_t wakeups = 0;
  Count periods = 0;
  Count migrations = 0;  // one at most per period, as the two below
  Count aborted = 0;
  Count refused = 0;

  // Sums are taken in record order, so two sums of the same records agree to the bit.
  void add(const PeriodRecord& r) {
    ++periods;
    idle += r.idle;
    window += r.window;
    asleep += r.state_time[index_of(PowerState::kAsleep)];
    energy += r.energy;
    baseline += r.baseline;
    migrated += r.migrated;
    reintegrated += r.reintegrated;
    fetched_pages += r.fetched_pages;
    wakeups += r.wakeups;
    migrations += r.outcome == Outcome::kMigrated ? 1 : 0;
    aborted += r.outcome == Outcome::kAborted ? 1 : 0;
    refused += r.outcome == Outcome::kRefused ? 1 : 0;
  }
  double savings_pct() const { return baseline.joules() > 0 ? 100.0 * (1.0 - energy / baseline) : 0.0; }
  double sleep_fraction() const {
    return window.us() > 0 ? static_cast<double>(asleep.us()) / static_cast<double>(window.us()) : 0.0;
  }
};

}  // namespace jettison::sim
