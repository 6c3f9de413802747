// What partial migration keeps for one desktop while its VM is away: the pages' states, the replay
// of the VM's accesses, the prefetcher's picks, the page requests waiting for the desktop and the
// sleep timer. Created when the migration starts, released when the window closes, so a desktop
// holds page state only while it has a VM out (sim/strategy/partial_migration.hpp).
#pragma once

#include <cstdint>
#include <unordered_set>
#include <vector>

#include "common/time.hpp"
#include "policy/prefetcher.hpp"
#include "policy/sleep_scheduler.hpp"
#include "sim/model/first_touch_index.hpp"
#include "sim/model/page_states.hpp"

namespace jettison::sim {

struct PartialWindow {
  // The VM's pages (dense slots of its profile). Prefetched pages the profile never touches have no
  // slot: kept by frame number.
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
};

}  // namespace jettison::sim
