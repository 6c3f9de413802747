// Replaying a page-access profile inside an idle period (traces/FORMAT.md): accesses at offsets
// measured from the profile's anchor (the period's start, or the VM's resume on the server); when the
// period outlasts the profile and the profile repeats, copy k of it is shifted by k x cycle. Replays walk a
// FirstTouchIndex: only the accesses that can change a page's state since the replay's start.
#pragma once

#include <cstdint>

#include "common/time.hpp"
#include "sim/model/first_touch_index.hpp"
#include "sim/model/page_set.hpp"

namespace jettison::sim {

// The simulated time of the profile's offset 0 in a window that opened at `window_start`: there for
// `anchor: idle-start`; for `anchor: migration-end`, `landed`: the VM's resume on the server (partial),
// or the pre-copy's start (full, whose end depends on the pages written meanwhile: sim/MODEL.md).
inline Time replay_origin(const PageProfile& p, Time window_start, Time landed) {
  return p.anchor == ProfileAnchor::kMigrationEnd ? landed : window_start;
}

// Adds to `out` the pages written at offsets in [from_us, to_us): each one's first write since
// from_us. Scans at most one cycle of a repeating profile: a longer window adds no page a full cycle
// has not already added.
inline void collect_writes(const FirstTouchIndex& index, std::int64_t from_us, std::int64_t to_us,
                           PageSet& out) {
  const PageProfile& p = index.profile();
  if (p.repeat && to_us - from_us > p.cycle.us()) to_us = from_us + p.cycle.us();
  FirstTouchCursor c;
  for (c.start(index, from_us); !c.done() && c.offset_us() < to_us; c.advance()) {
    if (c.access().write) out.insert(c.access().slot);
  }
}

}  // namespace jettison::sim
