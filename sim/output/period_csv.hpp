// periods.csv: one row per desktop x idle period x strategy.
#pragma once

#include <ostream>
#include <string_view>

#include "sim/metrics/period_record.hpp"

namespace jettison::sim {

void write_period_header(std::ostream& out);
void write_period_row(std::ostream& out, std::string_view strategy, std::string_view desktop,
                      const PeriodRecord& r);

}  // namespace jettison::sim
