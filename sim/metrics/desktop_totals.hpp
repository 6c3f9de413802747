// What desktops.csv reports of one desktop under one strategy, added up over its periods: the
// per-desktop part of StrategyTotals, kept compact (96 bytes) since a run holds one per desktop and
// strategy. The sums are PeriodSums', as Totals', so the figures are the same to the bit.
#pragma once

#include <cstdint>

#include "sim/metrics/period_sums.hpp"

namespace jettison::sim {

struct DesktopTotals : PeriodSums<std::uint32_t> {
  Bytes network_bytes;  // migrated + fetched + prefetched + reintegrated

  void add(const PeriodRecord& r) {
    PeriodSums::add(r);
    network_bytes += r.network();
  }
  Bytes network() const { return network_bytes; }
};

}  // namespace jettison::sim
