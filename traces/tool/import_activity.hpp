// `jettison-trace import activity`: per-second 0/1 activity columns (one column per machine, as some
// consolidation simulators use) turned into idle periods.
//
// Input: CSV, one row per sample, the first column the time in seconds (strictly increasing), then
// one column per machine, 1 = the user is active, 0 = not. An optional header `time,<id>,<id>,...`
// names the machines (ids as in the idle-period trace); without one they are m1, m2, ... by column.
// A row's values hold from its time to the next row's; the last row's for one second (the sampling
// step), or up to --end.
//
// Output: each run of 0s lasting at least the threshold is one idle period, from the time the run
// begins (not threshold later: the simulator's migrate_after is what waits) to the first 1 after it,
// or the trace end. A run already under way at the first row starts there.
#pragma once

#include <istream>
#include <memory>
#include <ostream>
#include <string>

#include "traces/tool/import_periods.hpp"

namespace jettison::traces {

struct ImportResult {
  std::uint64_t machines = 0;
  std::uint64_t rows = 0;
  std::uint64_t periods = 0;
};

// Reads all of `in` (named `name` in errors) before writing anything to `out`; InputError
// ("file:line: ...") for any bad row.
ImportResult import_activity(std::unique_ptr<std::istream> in, const std::string& name,
                             const ImportOptions& options, std::ostream& out);

}  // namespace jettison::traces
