// periods.csv: one row per desktop x idle period x strategy, in the columns of common/period_csv.hpp
// (shared with the emulator); timeline.csv: one row per power-state change of a traced desktop.
// Rows are formatted straight into an OutputFile's buffer (no iostreams).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/metrics/period_record.hpp"
#include "sim/model/power_meter.hpp"
#include "sim/output/output_file.hpp"

namespace jettison::sim {

// The header lines, with their newlines.
std::string_view period_header();
std::string_view timeline_header();

void write_period_row(OutputFile& out, std::string_view strategy, std::string_view desktop,
                      const PeriodRecord& r);

// The state changes of one window of a traced desktop (a window's close is `active`).
void write_timeline_rows(OutputFile& out, std::string_view strategy, std::string_view desktop,
                         std::uint32_t period, const std::vector<StateChange>& changes);

}  // namespace jettison::sim
