// The idle-period trace as the simulator uses it: the reader (traces/io) and an index of a trace.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "traces/io/idle_trace_reader.hpp"

namespace jettison::sim {

using traces::IdleRow;
using traces::IdleTraceReader;

// What one validating pass over a trace learns: the desktops in order of first appearance, the
// number of periods, the trace's end and whether rows are globally sorted by start (so a run can
// stream the file instead of buffering it). `names` numbers the desktops in the same order; the
// runs' readers share it (IdlePeriodStream), so each keeps only a few bytes a desktop.
struct IdleTraceIndex {
  std::string path;
  std::vector<std::string> desktops;
  std::shared_ptr<const traces::DesktopNames> names;
  std::uint64_t periods = 0;
  Time end;
  bool sorted_by_start = true;
};

IdleTraceIndex index_idle_trace(const std::string& path, const std::string& origin);

}  // namespace jettison::sim
