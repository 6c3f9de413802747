// Pre-copy full migration: round 1 sends all of memory; each next round re-sends the pages the VM
// dirtied during the previous round, until what is left is below the stop-and-copy threshold or the
// round limit is hit; then stop-and-copy sends the rest with the VM's CPU and device state.
//
// The simulator runs the rounds as network flows (sim/strategy/full_migration.cpp), so contention
// stretches them and more gets dirtied; `plan_precopy` is the same procedure on an idle network at
// the route's bottleneck bandwidth: the uncontended reference reported next to each migration.
#pragma once

#include <vector>

#include "common/quantity.hpp"
#include "sim/model/dirty_model.hpp"

namespace jettison::sim {

struct PrecopyInput {
  Bytes memory;  // the whole VM
  Bytes page_size;
  Bytes device_state;  // CPU and device state, sent in stop-and-copy
  Bandwidth bandwidth;
  Duration latency;
  Duration setup;
  std::uint32_t max_rounds;
  Bytes stop_copy_below;
};

struct PrecopyRound {
  Duration end;         // since the migration began
  Bytes sent;           // bytes sent by the end of this round (cumulative)
  std::uint64_t pages;  // pages this round carried
};

struct PrecopyPlan {
  std::vector<PrecopyRound> rounds;  // the last one is stop-and-copy
  Duration total;                    // migration latency
  Bytes bytes;                       // everything sent
};

// Whether a round that leaves `dirty_bytes` to re-send is the last before stop-and-copy.
inline bool precopy_converged(const PrecopyInput& in, Bytes dirty_bytes, std::uint32_t rounds_done) {
  return dirty_bytes <= in.stop_copy_below || rounds_done >= in.max_rounds;
}

// `start_offset_us`: where in the idle period (profile offset) the migration begins.
PrecopyPlan plan_precopy(const PrecopyInput& in, const DirtyModel& dirty, std::int64_t start_offset_us,
                         PageSet& scratch);

}  // namespace jettison::sim
