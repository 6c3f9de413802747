// The desktop power states the emulator reports: common/power_state.hpp (the simulator's list), so
// emulated and simulated state times line up column for column.
#pragma once

#include "common/power_state.hpp"

namespace jettison::emu {

using jettison::index_of;
using jettison::kPowerStateCount;
using jettison::kPowerStateNames;
using jettison::name_of;
using jettison::PowerState;
using jettison::PowerTable;
using jettison::StateTimes;

}  // namespace jettison::emu
