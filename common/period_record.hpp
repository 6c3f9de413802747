// What one idle period of one desktop cost under one strategy: one row of periods.csv. The simulator
// fills every field; the emulator writes the same columns (common/period_csv.hpp) with what it measured.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/power_state.hpp"
#include "common/quantity.hpp"
#include "common/time.hpp"

namespace jettison {

enum class Outcome : std::uint8_t {
  kStayedOn,  // the period ended before the strategy acted (or the strategy never acts)
  kSlept,     // the desktop slept without moving its VM
  kMigrated,  // the VM moved to the server and came back
  kAborted,   // the user came back while the VM was being migrated
  kRefused,   // the server had no room; the desktop slept instead
};

constexpr std::string_view name_of(Outcome o) {
  constexpr std::array<std::string_view, 5> kNames{"stayed-on", "slept", "migrated", "aborted", "refused"};
  return kNames[static_cast<std::size_t>(o)];
}

struct PeriodRecord {
  std::uint32_t desktop = 0;
  std::uint32_t period = 0;  // index of the period among this desktop's periods
  Time start;                // when the window opened
  Duration idle;             // user away: from start to the user's return
  Duration window;           // idle + the time the desktop took to come back (state times sum to it)
  std::array<Duration, kPowerStateCount> state_time{};
  Energy energy;         // desktop energy over the window (plus the server's share if configured)
  Energy baseline;       // always-on over the same window: idle power, then active power
  Energy server_energy;  // the server's power attributed to this VM while hosted
  Energy proxy_energy;   // `proxy`: the network-presence proxy's draw, part of `energy` (0 otherwise)
  Bytes migrated;        // to the server at migration (metadata, pre-copy rounds)
  Bytes fetched;         // pages fetched on demand
  Bytes prefetched;      // pages sent by the prefetcher (at migration or along with faults)
  Bytes reintegrated;    // back to the desktop on the user's return
  std::uint64_t fetched_pages = 0;
  std::uint64_t prefetched_pages = 0;
  std::uint64_t prefetch_used = 0;  // prefetched pages the VM then touched (each a fault avoided)
  std::uint64_t dirty_pages = 0;
  std::uint64_t wakeups = 0;  // resumes to serve pages
  std::optional<Duration> migration_latency;
  // The same migration alone on an idle network (route bottleneck, no sharing): what contention cost.
  std::optional<Duration> migration_latency_uncontended;
  std::optional<Duration> return_latency;  // user-visible: user back -> VM running on the desktop
  std::int32_t server = -1;              // index of the server the VM went to (or was admitted to); -1: none
  Outcome outcome = Outcome::kStayedOn;  // beside `server`: the two share one 8-byte slot

  Bytes network() const { return migrated + fetched + prefetched + reintegrated; }
};

}  // namespace jettison
