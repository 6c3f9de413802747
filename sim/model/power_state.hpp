// The desktop power states of the energy model: common/power_state.hpp, seen from the simulator.
#pragma once

#include "common/power_state.hpp"

namespace jettison::sim {

using jettison::index_of;
using jettison::kPowerStateCount;
using jettison::kPowerStateNames;
using jettison::name_of;
using jettison::PowerState;
using jettison::PowerTable;

}  // namespace jettison::sim
