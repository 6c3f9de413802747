// What the importers share: the idle threshold, the trace end, and the idle periods found, written
// out sorted by start (ties: machines in order of first appearance) as an idle-period trace.
// Periods are held until the end (24 bytes each) because they are found in order of their end.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "traces/tool/import_time.hpp"

namespace jettison::traces {

struct ImportOptions {
  std::int64_t threshold_us = 300'000'000;  // inactivity of at least this long is an idle period
  std::optional<std::int64_t> end_us;       // the trace end (--end)
  std::optional<TraceOrigin> origin;        // --origin: times are absolute (import_time.hpp)
};

class ImportedPeriods {
 public:
  // Registers a machine; returns its index (the order of first appearance).
  std::uint32_t add_machine(std::string id);
  std::size_t machines() const { return ids_.size(); }

  // An inactivity from `start` to `end`: kept when it lasts at least the threshold.
  void inactivity(std::uint32_t machine, std::int64_t start_us, std::int64_t end_us,
                  std::int64_t threshold_us);

  std::uint64_t periods() const { return periods_.size(); }
  // Writes the idle-period trace (header included).
  void write(std::ostream& out);

 private:
  struct Period {
    std::int64_t start_us, end_us;
    std::uint32_t machine;
  };
  std::vector<std::string> ids_;
  std::vector<Period> periods_;
};

// Parses --threshold (a duration with its unit, > 0), --origin (empty: none) and --end (a time as
// the rows' times are written: seconds since t = 0, or with --origin a date-time or epoch seconds).
ImportOptions parse_import_options(const std::string& threshold, const std::string& end,
                                   const std::string& origin = "");

}  // namespace jettison::traces
