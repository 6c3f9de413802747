// An office's idle trace drawn from the office model (office_model.hpp), as CSV rows desktop,start,end
// (traces/FORMAT.md): desktop i named d<i> zero-padded to at least 2 digits, drawing from
// RandomStream(seed, "idle:<i>") only, so adding desktops leaves the others' periods unchanged; rows
// sorted by start, then desktop. `jettison-trace generate idle` writes it to a file, the simulator
// holds it in memory for `idle_trace: {generate: office, ...}`: the same bytes for the same arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>

#include "traces/gen/office_model.hpp"

namespace jettison::traces {

// Writes the trace to `out`; returns the number of idle periods. Every period is held (24 bytes each)
// to sort the rows of all desktops by start.
std::size_t write_office_trace(const OfficeModel& model, std::uint64_t seed, std::uint32_t desktops,
                               std::uint32_t days, std::ostream& out);

}  // namespace jettison::traces
