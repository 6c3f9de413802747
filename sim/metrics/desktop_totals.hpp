// What desktops.csv reports of one desktop under one strategy, added up over its periods: the
// per-desktop part of StrategyTotals, kept compact (96 bytes) since a run holds one per desktop and
// strategy. Sums are taken in record order, as Totals does, so the figures are the same to the bit.
#pragma once

#include <cstdint>

#include "sim/metrics/period_record.hpp"

namespace jettison::sim {

struct DesktopTotals {
  Energy energy;
  Energy baseline;
  Duration idle;
  Duration window;
  Duration asleep;
  Bytes network_bytes;  // migrated + fetched + prefetched + reintegrated
  Bytes migrated;
  Bytes reintegrated;
  std::uint64_t fetched_pages = 0;
  std::uint64_t wakeups = 0;
  std::uint32_t periods = 0;
  std::uint32_t migrations = 0;  // one at most per period, as the three below
  std::uint32_t aborted = 0;
  std::uint32_t refused = 0;

  void add(const PeriodRecord& r) {
    ++periods;
    idle += r.idle;
    window += r.window;
    asleep += r.state_time[index_of(PowerState::kAsleep)];
    energy += r.energy;
    baseline += r.baseline;
    network_bytes += r.network();
    migrated += r.migrated;
    reintegrated += r.reintegrated;
    fetched_pages += r.fetched_pages;
    wakeups += r.wakeups;
    migrations += r.outcome == Outcome::kMigrated ? 1 : 0;
    aborted += r.outcome == Outcome::kAborted ? 1 : 0;
    refused += r.outcome == Outcome::kRefused ? 1 : 0;
  }
  Bytes network() const { return network_bytes; }
  double savings_pct() const { return baseline.joules() > 0 ? 100.0 * (1.0 - energy / baseline) : 0.0; }
  double sleep_fraction() const {
    return window.us() > 0 ? static_cast<double>(asleep.us()) / static_cast<double>(window.us()) : 0.0;
  }
};

}  // namespace jettison::sim
