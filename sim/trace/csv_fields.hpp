// CSV field helpers as the simulator's tests use them (defined in traces/io).
#pragma once

#include "traces/io/csv_fields.hpp"

namespace jettison::sim {

using traces::parse_seconds_us;
using traces::parse_unsigned;
using traces::quote_field;
using traces::split_csv;

}  // namespace jettison::sim
