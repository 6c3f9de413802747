#include "sim/trace/idle_trace.hpp"

#include <utility>

#include "sim/trace/input_file.hpp"

namespace jettison::sim {

IdleTraceIndex index_idle_trace(const std::string& path, const std::string& origin) {
  IdleTraceReader reader(open_input(path, origin), path);
  IdleTraceIndex index;
  index.path = path;
  IdleRow row;
  Time last_start;
  while (reader.next(row)) {
    // Numbers are handed out in order of first appearance: a new desktop gets the next one.
    if (row.number == index.desktops.size()) index.desktops.push_back(row.desktop);
    if (index.periods > 0 && row.start < last_start) index.sorted_by_start = false;
    last_start = row.start;
    index.end = max(index.end, row.end);
    ++index.periods;
  }
  index.desktops.shrink_to_fit();  // a doubling vector leaves up to half its room unused
  traces::DesktopNames names = reader.take_names();
  names.shrink_to_fit();
  index.names = std::make_shared<const traces::DesktopNames>(std::move(names));
  return index;
}

}  // namespace jettison::sim
