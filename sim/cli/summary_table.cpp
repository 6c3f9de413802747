#include "sim/cli/summary_table.hpp"

#include <fmt/format.h>

#include "common/units.hpp"
#include "sim/metrics/latency_summary.hpp"

namespace jettison::sim {
namespace {

std::string latency_cell(const LatencySamples& samples) {
  const LatencySummary l = summarize(samples);
  if (l.count == 0) return "-";
  return fmt::format("{:.1f} / {:.1f}", l.p50.seconds_f(), l.p95.seconds_f());
}

}  // namespace

void print_summary_table(std::FILE* out, const Scenario& s, const RunReport& report) {
  fmt::print(out, "scenario {}: {} desktops, {} idle periods, {:.0f} idle hours\n", s.name, s.desktops.size(),
             report.results.empty() ? 0 : report.results.front().totals.all.periods,
             report.results.empty() ? 0.0 : report.results.front().totals.all.idle.seconds_f() / 3600.0);
  const std::string rule(118, '-');
  fmt::print(out, "{:<11} {:>11} {:>9} {:>10} {:>12} {:>12} {:>15} {:>15} {:>8} {:>7}\n", "strategy",
             "energy kWh", "savings", "save>=10m", "network", "moved/VM", "migrate p50/95", "return p50/95",
             "wakeups", "asleep");
  fmt::print(out, "{}\n", rule);
  for (const StrategyResult& r : report.results) {
    const Totals& t = r.totals.all;
    const std::uint64_t migrations = t.migrations;
    const std::string per_vm = migrations ? format_bytes(Bytes::of(t.network().count() / migrations)) : "-";
    fmt::print(out, "{:<11} {:>11.2f} {:>8.1f}% {:>9.1f}% {:>12} {:>12} {:>15} {:>15} {:>8} {:>6.1f}%\n",
               r.strategy, t.energy.kwh(), t.savings_pct(), r.totals.long_periods.savings_pct(),
               format_bytes(t.network()), per_vm, latency_cell(r.totals.migration_latency_us),
               latency_cell(r.totals.return_latency_us), t.wakeups, 100.0 * t.sleep_fraction());
  }
  fmt::print(out, "{}\n", rule);
  fmt::print(out, "{} events in {:.2f} s wall ({:.1f} M events/s over all threads)\n", report.events,
             report.wall_seconds, static_cast<double>(report.events) / report.wall_seconds / 1e6);
}

}  // namespace jettison::sim
