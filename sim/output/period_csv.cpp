#include "sim/output/period_csv.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace jettison::sim {
namespace {

std::string seconds(Duration d) { return fmt::format("{}.{:06}", d.us() / 1'000'000, d.us() % 1'000'000); }
std::string seconds(Time t) { return seconds(t - Time{}); }
std::string optional_seconds(const std::optional<Duration>& d) { return d ? seconds(*d) : std::string(); }

}  // namespace

void write_period_header(std::ostream& out) {
  out << "strategy,desktop,period,start_s,idle_s,window_s,outcome,energy_j,baseline_j,savings_pct,"
         "server_energy_j,migrated_bytes,fetched_pages,fetched_bytes,prefetched_pages,prefetch_used,"
         "reintegrated_bytes,network_bytes,"
         "dirty_pages,wakeups,migration_latency_s,return_latency_s,migration_latency_uncontended_s,server";
  for (std::string_view s : kPowerStateNames) out << ",t_" << s << "_s";
  out << '\n';
}

void write_timeline_header(std::ostream& out) { out << "strategy,desktop,period,time_s,state\n"; }

void write_timeline_rows(std::ostream& out, std::string_view strategy, std::string_view desktop,
                         std::uint32_t period, const std::vector<StateChange>& changes) {
  fmt::memory_buffer b;
  for (const StateChange& c : changes) {
    fmt::format_to(std::back_inserter(b), "{},{},{},{},{}\n", strategy, desktop, period, seconds(c.at),
                   name_of(c.state));
  }
  out.write(b.data(), static_cast<std::streamsize>(b.size()));
}

void write_period_row(std::ostream& out, std::string_view strategy, std::string_view desktop,
                      const PeriodRecord& r) {
  const double savings = r.baseline.joules() > 0 ? 100.0 * (1.0 - r.energy / r.baseline) : 0.0;
  fmt::memory_buffer b;
  fmt::format_to(std::back_inserter(b),
                 "{},{},{},{},{},{},{},{:.3f},{:.3f},{:.4f},{:.3f},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                 strategy, desktop, r.period, seconds(r.start), seconds(r.idle), seconds(r.window),
                 name_of(r.outcome), r.energy.joules(), r.baseline.joules(), savings,
                 r.server_energy.joules(), r.migrated.count(), r.fetched_pages, r.fetched.count(),
                 r.prefetched_pages, r.prefetch_used, r.reintegrated.count(), r.network().count(),
                 r.dirty_pages, r.wakeups, optional_seconds(r.migration_latency),
                 optional_seconds(r.return_latency), optional_seconds(r.migration_latency_uncontended),
                 r.server >= 0 ? std::to_string(r.server) : std::string());
  for (Duration d : r.state_time) fmt::format_to(std::back_inserter(b), ",{}", seconds(d));
  b.push_back('\n');
  out.write(b.data(), static_cast<std::streamsize>(b.size()));
}

}  // namespace jettison::sim
