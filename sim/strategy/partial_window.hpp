// What partial migration keeps for one desktop while its VM is away: the pages' states, the replay
// of the VM's accesses, the prefetcher's picks, the page requests waiting for the desktop and the
// sleep timer. Created when the migration starts, released when the window closes, so a desktop
// holds page state only while it has a VM out (sim/strategy/partial_migration.hpp).
#pragma once

#include <cstdint>
#include <unordered_set>
#include <vector>

#include "common/quantity.hpp"
#include "common/time.hpp"
#include "policy/prefetcher.hpp"
#include "policy/sleep_scheduler.hpp"
#include "sim/model/first_touch_index.hpp"
#include "sim/model/page_state_gauge.hpp"
#include "sim/model/page_states.hpp"

namespace jettison::sim {

struct PartialWindow {
  // Without a prefetcher (`none`), a page is on the server iff the VM touched it since the migration
  // (or the hybrid bulk sent everything): the replay's keys tell a fault and a first write apart
  // (FirstTouchCursor::first_touch, first_write), so no per-page state is kept; counters stand for it.
  bool counted = false;
  bool all_resident = false;         // counted: the hybrid bulk brought every page
  std::uint64_t resident_pages = 0;  // counted: pages fetched by faults
  std::uint64_t dirty_pages = 0;     // counted: pages written on the server
  Bytes unapplied_growth;            // counted: fetched at the current access's µs, not yet grown
  // The VM's pages (dense slots of its profile), unless counted. Prefetched pages the profile never
  // touches have no slot: kept by frame number.
  PageStates pages;
  std::unordered_set<std::uint64_t> unprofiled_prefetched;
  std::vector<policy::PageId> prefetch_buffer;
  FirstTouchCursor cursor;  // the VM's next page access
  Time origin;              // the simulated time of the profile's offset 0 (set at the migration's end)
  policy::Future future;    // for offline sleep schedulers
  // Page requests waiting for the desktop to wake.
  std::uint64_t queued_pages = 0;
  Time queued_arrival = Time::never();  // when the first of them was asked for
  Time timer_at = Time::never();        // the sleep timer pending, if any
  Time transition_at = Time::never();   // the end of the suspend or wake-up under way, if any
  // The last page request's service time, kept while the network's flows and the bytes stay the
  // same (Host::network_version).
  std::uint64_t request_version = 0;
  Bytes request_bytes;
  Duration request_time;
  // The window on the page-state gauge while it lives (benchmarks; `pages` counts its own arrays).
  GaugedBytes gauged{static_cast<std::int64_t>(sizeof(PartialWindow))};
};

}  // namespace jettison::sim
