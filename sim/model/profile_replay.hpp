// Replaying a page-access profile inside an idle period (traces/FORMAT.md): accesses at offsets
// measured from the period's start; when the period outlasts the profile and the profile repeats,
// copy k of it is shifted by k x cycle. Replays walk a FirstTouchIndex: only the accesses that can
// change a page's state since the replay's start.
#pragma once

#include <cstdint>

#include "sim/model/first_touch_index.hpp"
#include "sim/model/page_set.hpp"

namespace jettison::sim {

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
