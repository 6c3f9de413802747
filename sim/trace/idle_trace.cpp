#include "sim/trace/idle_trace.hpp"

#include "sim/trace/input_file.hpp"

namespace jettison::sim {

IdleTraceIndex index_idle_trace(const std::string& path, const std::string& origin) {
  IdleTraceReader reader(open_input(path, origin), path);
  IdleTraceIndex index;
  index.path = path;
  std::unordered_map<std::string, std::size_t> seen;
  IdleRow row;
  Time last_start;
  while (reader.next(row)) {
    if (seen.try_emplace(row.desktop, index.desktops.size()).second) index.desktops.push_back(row.desktop);
    if (index.periods > 0 && row.start < last_start) index.sorted_by_start = false;
    last_start = row.start;
    index.end = max(index.end, row.end);
    ++index.periods;
  }
  return index;
}

}  // namespace jettison::sim
