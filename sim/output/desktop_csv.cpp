#include "sim/output/desktop_csv.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace jettison::sim {

std::string desktops_header() {
  return "strategy,desktop,profile,periods,idle_s,energy_kwh,baseline_kwh,savings_pct,network_bytes,"
         "migrated_bytes,fetched_pages,reintegrated_bytes,wakeups,sleep_fraction,migrations,aborted,"
         "refused\n";
}

void write_desktop_rows(std::ostream& out, const Scenario& s, const StrategyResult& r) {
  for (std::size_t i = 0; i < s.desktops.size(); ++i) {
    const DesktopTotals& t = r.totals.per_desktop[i];
    fmt::print(out, "{},{},{},{},{:.6f},{:.6f},{:.6f},{:.4f},{},{},{},{},{},{:.6f},{},{},{}\n", r.strategy,
               s.desktops[i].id, s.profiles[s.desktops[i].profile].name, t.periods, t.idle.seconds_f(),
               t.energy.kwh(), t.baseline.kwh(), t.savings_pct(), t.network().count(), t.migrated.count(),
               t.fetched_pages, t.reintegrated.count(), t.wakeups, t.sleep_fraction(), t.migrations,
               t.aborted, t.refused);
  }
}

void write_desktops_csv(std::ostream& out, const Scenario& s, const std::vector<StrategyResult>& results) {
  out << desktops_header();
  for (const StrategyResult& r : results) write_desktop_rows(out, s, r);
}

}  // namespace jettison::sim
