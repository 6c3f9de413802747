// One row of periods.csv for an emulated idle period, in the columns defined once for the simulator
// and the emulator (common/period_csv.hpp). Columns the emulator cannot know are left empty, never
// guessed:
//
//   column                          emulated value
//   strategy                        "emulated"
//   desktop, period, start_s        as given (the trace's name, 0, 0)
//   idle_s, window_s                the period replayed, in trace time (both the same: no return)
//   outcome                         "migrated" (the VM ran on the server for the whole period)
//   energy_j                        power x state time when state times and powers are given, else empty
//   baseline_j, savings_pct,
//   server_energy_j,
//   proxy_energy_j                  empty (no always-on baseline, no server or proxy power in the emulator)
//   migrated_bytes                  a real VM's device state as it travelled (jettison-server --qemu);
//                                   empty for a replay (nothing migrates)
//   fetched_pages, fetched_bytes    measured: demand-fetched pages, x page size (the simulator's unit)
//   prefetched_pages, prefetch_used measured: pages the prefetcher placed; of those, pages the replay
//                                   then touched
//   reintegrated_bytes              measured with --write-back: the write-back's frame bytes; else empty
//   network_bytes                   measured: page data that crossed (all-zero pages carry none), plus
//                                   protocol overhead when the source reports its wire bytes
//   dirty_pages                     measured: the fetcher's dirty set (a superset without dirty tracking)
//   wakeups                         measured by the source (Wake-on-LAN wakes); 0 for a local image
//   migration_latency_s,
//   return_latency_s,
//   migration_latency_uncontended_s,
//   server                          empty unless given
//   t_<state>_s                     the desktop's time in each power state when given, else empty
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "common/period_csv.hpp"
#include "common/quantity.hpp"
#include "common/time.hpp"
#include "emu/power/power_state.hpp"

namespace jettison::emu {

struct EmulatedPeriod {
  std::string desktop;
  std::uint32_t period = 0;
  Duration idle;
  std::optional<Bytes> migrated;  // device state sent to the server, when a VM migrated
  std::uint64_t fetched_pages = 0;
  Bytes fetched;
  std::uint64_t prefetched_pages = 0;
  std::uint64_t prefetch_used = 0;
  Bytes network;
  std::optional<Bytes> reintegrated;  // write-back bytes, when the period was written back
  std::uint64_t dirty_pages = 0;
  std::uint64_t wakeups = 0;
  std::optional<Energy> energy;
  std::optional<Duration> migration_latency, return_latency;
  std::optional<StateTimes> state_time;
};

// The emulated period as a periods.csv row (the columns above).
PeriodRow period_row(const EmulatedPeriod& p);
// The header line (with its trailing newline) and its writer: common/period_csv.hpp's.
using jettison::period_csv_header;
using jettison::write_period_header;
void write_period_row(std::ostream& out, const EmulatedPeriod& p);

}  // namespace jettison::emu
