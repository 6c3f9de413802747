// An event in the simulator's queue: a small value type. `seq` makes the order of events at equal
// times deterministic (first scheduled, first executed).
#pragma once

#include <cstdint>

#include "common/time.hpp"

namespace jettison::sim {

struct Event {
  Time time;
  std::uint64_t seq = 0;
  std::uint32_t target = 0;  // which entity (desktop index, or a trace stream)
  std::uint16_t kind = 0;    // what happens; meaning belongs to the model that scheduled it
  std::uint32_t token = 0;   // lets a model recognise events it has since cancelled

  friend bool operator<(const Event& a, const Event& b) {
    return a.time < b.time || (a.time == b.time && a.seq < b.seq);
  }
};

}  // namespace jettison::sim
