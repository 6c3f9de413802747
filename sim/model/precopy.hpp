// Pre-copy full migration: round 1 sends all of memory; each next round re-sends the pages the VM
// wrote during the previous round (its writes replayed from the page profile), until what is left
// is below the stop-and-copy threshold or the round limit is hit; then stop-and-copy sends the rest
// with the VM's CPU and device state.
#pragma once

#include <vector>

#include "common/quantity.hpp"
#include "sim/model/page_set.hpp"
#include "sim/trace/page_profile.hpp"

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

// `start_offset_us`: where in the idle period (profile offset) the migration begins.
PrecopyPlan plan_precopy(const PrecopyInput& in, const PageProfile& profile, std::int64_t start_offset_us,
                         PageSet& scratch);

// Bytes sent by `elapsed` into a migration that follows `plan` (for one cut short).
Bytes precopy_sent_by(const PrecopyPlan& plan, const PrecopyInput& in, Duration elapsed);

}  // namespace jettison::sim
