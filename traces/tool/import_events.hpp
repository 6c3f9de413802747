// `jettison-trace import events`: timestamped input-event logs turned into idle periods.
//
// Input: CSV rows `time,machine`, one per input event (key press, mouse move, ...), sorted by time
// (non-decreasing); an optional header `time,machine`. Times are seconds as in the trace formats;
// machine ids as in the idle-period trace.
//
// Output: the log covers the time from its first event (any machine) to --end, or to its last event.
// For each machine, every gap of at least the threshold between consecutive events is one idle
// period, from the earlier event (inactivity begins there) to the later one; so are the gap from the
// log's start to the machine's first event and the gap from its last event to the end.
#pragma once

#include <istream>
#include <memory>
#include <ostream>
#include <string>

#include "traces/tool/import_activity.hpp"
#include "traces/tool/import_periods.hpp"

namespace jettison::traces {

// Reads all of `in` before writing anything to `out`; InputError ("file:line: ...") for bad rows.
ImportResult import_events(std::unique_ptr<std::istream> in, const std::string& name,
                           const ImportOptions& options, std::ostream& out);

}  // namespace jettison::traces
