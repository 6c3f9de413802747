// periods.csv, defined once for the simulator and the emulator: the column list, the header and a row
// writer. A row's fields are optional: the simulator knows them all, the emulator leaves the columns
// it cannot know empty (never guessed). savings_pct is derived when energy and baseline are both known.
//
//   strategy, desktop, period          the strategy ("emulated" for the emulator), desktop id, index
//   start_s, idle_s, window_s          window start, user away, window (state times sum to it)
//   outcome                            stayed-on | slept | migrated | aborted | refused
//   energy_j, baseline_j, savings_pct  desktop energy, always-on energy, 100 x (1 - energy/baseline)
//   server_energy_j                    the server's power attributed to the VM while hosted
//   proxy_energy_j                     the proxy strategy's proxy (part of energy_j; 0 for the others)
//   migrated_bytes                     to the server at migration
//   fetched_pages, fetched_bytes       pages fetched on demand
//   prefetched_pages, prefetch_used    pages the prefetcher sent; of those, pages then touched
//   reintegrated_bytes                 back to the desktop on the user's return
//   network_bytes                      every byte that crossed
//   dirty_pages, wakeups               pages dirtied on the server; resumes to serve pages
//   migration_latency_s, return_latency_s, migration_latency_uncontended_s
//   server                             index of the server the VM went to
//   t_<state>_s                        time in each power state (common/power_state.hpp's order)
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/period_record.hpp"
#include "common/power_state.hpp"
#include "common/quantity.hpp"
#include "common/time.hpp"

namespace jettison {

// One row of periods.csv; an empty optional is an empty cell.
struct PeriodRow {
  std::string_view strategy;
  std::string_view desktop;
  std::uint32_t period = 0;
  std::optional<Duration> start;  // since the trace's start
  std::optional<Duration> idle, window;
  std::optional<Outcome> outcome;
  std::optional<Energy> energy, baseline, server_energy, proxy_energy;
  std::optional<Bytes> migrated;
  std::optional<std::uint64_t> fetched_pages;
  std::optional<Bytes> fetched;
  std::optional<std::uint64_t> prefetched_pages, prefetch_used;
  std::optional<Bytes> reintegrated, network;
  std::optional<std::uint64_t> dirty_pages, wakeups;
  std::optional<Duration> migration_latency, return_latency, migration_latency_uncontended;
  std::optional<std::uint32_t> server;
  std::optional<StateTimes> state_time;
};

// Every field of a simulated period (the server empty when the VM went to none).
PeriodRow period_row(std::string_view strategy, std::string_view desktop, const PeriodRecord& r);

// The column names in order, the state-time columns last.
const std::vector<std::string>& period_columns();
// The header line, with its trailing newline.
const std::string& period_csv_header();
void write_period_header(std::ostream& out);
// Appends the row's line (with its newline) to `out`: the fast path (sim/output/output_file.hpp).
void append_period_row(fmt::memory_buffer& out, const PeriodRow& row);
void write_period_row(std::ostream& out, const PeriodRow& row);

}  // namespace jettison
