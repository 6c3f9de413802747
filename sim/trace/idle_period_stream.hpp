// The idle periods of the selected desktops in start order, for a run. A trace sorted by start (the
// usual case, checked when the scenario was loaded) is streamed from the file one row at a time;
// an unsorted one is buffered (16 bytes a period) and sorted once. The reader shares the index's
// desktop names; the stream keeps the run's desktop index by desktop number (4 bytes a desktop), so
// a row costs no lookup by name after its desktop's first.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/trace/idle_trace.hpp"

namespace jettison::sim {

struct IdlePeriod {
  std::uint32_t desktop = 0;
  Time start;
  Time end;
};

class IdlePeriodStream {
 public:
  // The run's index of the trace desktop named so, or nullopt when the run does not simulate it;
  // asked once per desktop, at its first period.
  using DesktopLookup = std::function<std::optional<std::uint32_t>(std::string_view)>;

  IdlePeriodStream(const IdleTraceIndex& index, DesktopLookup desktops);
  // The same through a map of the run's desktops by name (kept for callers that have one; a lookup
  // into the scenario's own sorted names, Topology::find_desktop, costs 4 bytes a desktop, the map ~60).
  IdlePeriodStream(const IdleTraceIndex& index,
                   const std::unordered_map<std::string, std::uint32_t>& desktops);
  bool next(IdlePeriod& out);
  bool buffered() const { return !reader_; }

 private:
  static constexpr std::uint32_t kUnlooked = ~std::uint32_t{0};
  static constexpr std::uint32_t kNotSelected = ~std::uint32_t{0} - 1;
  bool read(IdleTraceReader& reader, IdlePeriod& out);

  DesktopLookup desktops_;
  std::vector<std::uint32_t> selected_;  // by desktop number: the run's desktop index, or the above
  std::unique_ptr<IdleTraceReader> reader_;
  IdleRow row_;
  std::vector<IdlePeriod> buffer_;
  std::size_t next_ = 0;
};

}  // namespace jettison::sim
