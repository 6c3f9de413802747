// The idle periods of the selected desktops in start order, for a run. A trace sorted by start (the
// usual case, checked when the scenario was loaded) is streamed from the file one row at a time;
// an unsorted one is buffered (16 bytes a period) and sorted once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
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
  IdlePeriodStream(const IdleTraceIndex& index,
                   const std::unordered_map<std::string, std::uint32_t>& desktops);
  bool next(IdlePeriod& out);
  bool buffered() const { return !reader_; }

 private:
  const std::unordered_map<std::string, std::uint32_t>& desktops_;
  std::unique_ptr<IdleTraceReader> reader_;
  IdleRow row_;
  std::vector<IdlePeriod> buffer_;
  std::size_t next_ = 0;
};

}  // namespace jettison::sim
