// The idle-period trace as the simulator uses it: the reader (traces/io) and an index of a trace.
#pragma once

#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "traces/io/idle_trace_reader.hpp"

namespace jettison::sim {

using traces::IdleRow;
using traces::IdleTraceReader;

// What one validating pass over a trace learns: the desktops in order of first appearance, the
// number of periods, the trace's end and whether rows are globally sorted by start (so a run can
// stream the file instead of buffering it). `names` numbers the desktops in that order and is the
// one list of them (desktops()); the runs' readers share it (IdlePeriodStream), so each keeps only a
// few bytes a desktop.
struct IdleTraceIndex {
  std::string path;  // the file; for a trace held in memory, its name (generated_trace_name)
  // The trace's text when it is held in memory (a generated trace): runs read it instead of `path`.
  std::shared_ptr<const std::string> text;
  std::shared_ptr<const traces::DesktopNames> names;
  std::uint64_t periods = 0;
  Time end;
  bool sorted_by_start = true;

  // The desktops in order of first appearance (none before a pass).
  const std::vector<std::string>& desktops() const {
    static const std::vector<std::string> kNone;
    return names ? names->names() : kNone;
  }
};

IdleTraceIndex index_idle_trace(const std::string& path, const std::string& origin);
// The same for a trace held in memory, named `name` in errors.
IdleTraceIndex index_idle_text(std::shared_ptr<const std::string> text, const std::string& name);

// A stream over the trace: its text, or the file.
std::unique_ptr<std::istream> open_idle_trace(const IdleTraceIndex& index);

}  // namespace jettison::sim
