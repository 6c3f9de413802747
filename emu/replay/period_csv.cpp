#include "emu/replay/period_csv.hpp"

#include "common/period_csv.hpp"

namespace jettison::emu {

PeriodRow period_row(const EmulatedPeriod& p) {
  PeriodRow row;
  row.strategy = "emulated";
  row.desktop = p.desktop;
  row.period = p.period;
  row.start = Duration{};
  row.idle = p.idle;
  row.window = p.idle;
  row.outcome = Outcome::kMigrated;
  row.energy = p.energy;
  row.migrated = p.migrated;
  row.fetched_pages = p.fetched_pages;
  row.fetched = p.fetched;
  row.prefetched_pages = p.prefetched_pages;
  row.prefetch_used = p.prefetch_used;
  row.reintegrated = p.reintegrated;
  row.network = p.network;
  row.dirty_pages = p.dirty_pages;
  row.wakeups = p.wakeups;
  row.migration_latency = p.migration_latency;
  row.return_latency = p.return_latency;
  row.state_time = p.state_time;
  return row;
}

void write_period_row(std::ostream& out, const EmulatedPeriod& p) {
  jettison::write_period_row(out, period_row(p));
}

}  // namespace jettison::emu
