// What one idle period of one desktop cost under one strategy: common/period_record.hpp (shared
// with the emulator), seen from the simulator.
#pragma once

#include "common/period_record.hpp"
#include "sim/model/power_state.hpp"

namespace jettison::sim {

using jettison::name_of;  // name_of(Outcome) joins name_of(PowerState)
using jettison::Outcome;
using jettison::PeriodRecord;

}  // namespace jettison::sim
