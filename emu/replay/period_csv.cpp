#include "emu/replay/period_csv.hpp"

#include <fmt/format.h>

#include <iterator>

namespace jettison::emu {
namespace {

std::string seconds(Duration d) { return fmt::format("{}.{:06}", d.us() / 1'000'000, d.us() % 1'000'000); }
std::string optional_seconds(const std::optional<Duration>& d) { return d ? seconds(*d) : std::string(); }

}  // namespace

std::string period_csv_header() {
  std::string h =
      "strategy,desktop,period,start_s,idle_s,window_s,outcome,energy_j,baseline_j,savings_pct,"
      "server_energy_j,migrated_bytes,fetched_pages,fetched_bytes,prefetched_pages,prefetch_used,"
      "reintegrated_bytes,network_bytes,"
      "dirty_pages,wakeups,migration_latency_s,return_latency_s,migration_latency_uncontended_s,server";
  for (std::string_view s : kPowerStateNames) h += fmt::format(",t_{}_s", s);
  h += '\n';
  return h;
}

void write_period_header(std::ostream& out) { out << period_csv_header(); }

void write_period_row(std::ostream& out, const EmulatedPeriod& p) {
  fmt::memory_buffer b;
  // strategy..outcome, energy_j, then baseline_j, savings_pct, server_energy_j, migrated_bytes empty.
  fmt::format_to(std::back_inserter(b), "emulated,{},{},{},{},{},migrated,{},,,,,", p.desktop, p.period,
                 seconds(Duration{}), seconds(p.idle), seconds(p.idle),
                 p.energy ? fmt::format("{:.3f}", p.energy->joules()) : std::string());
  // fetched_pages..network_bytes (reintegrated_bytes when written back), dirty_pages, wakeups,
  // latencies, server.
  fmt::format_to(std::back_inserter(b), "{},{},{},{},{},{},{},{},{},{},,", p.fetched_pages, p.fetched.count(),
                 p.prefetched_pages, p.prefetch_used,
                 p.reintegrated ? std::to_string(p.reintegrated->count()) : std::string(), p.network.count(),
                 p.dirty_pages, p.wakeups, optional_seconds(p.migration_latency),
                 optional_seconds(p.return_latency));
  for (std::size_t i = 0; i < kPowerStateCount; ++i)
    fmt::format_to(std::back_inserter(b), ",{}", p.state_time ? seconds((*p.state_time)[i]) : std::string());
  b.push_back('\n');
  out.write(b.data(), static_cast<std::streamsize>(b.size()));
}

}  // namespace jettison::emu
