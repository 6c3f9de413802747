// periods.csv: one row per desktop x idle period x strategy, in the columns of common/period_csv.hpp
// (shared with the emulator).
#pragma once

#include <ostream>
#include <string_view>
#include <vector>

#include "sim/metrics/period_record.hpp"
#include "sim/model/power_meter.hpp"

namespace jettison::sim {

void write_period_header(std::ostream& out);
void write_period_row(std::ostream& out, std::string_view strategy, std::string_view desktop,
                      const PeriodRecord& r);

// timeline.csv: one row per power-state change of a traced desktop (a window's close is `active`).
void write_timeline_header(std::ostream& out);
void write_timeline_rows(std::ostream& out, std::string_view strategy, std::string_view desktop,
                         std::uint32_t period, const std::vector<StateChange>& changes);

}  // namespace jettison::sim
