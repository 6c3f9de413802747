// Energy = power x time in each state, from a table of watts per state (the scenario's figures).
#pragma once

#include <array>
#include <string>

#include "common/quantity.hpp"
#include "emu/power/power_state.hpp"

namespace jettison::emu {

struct EnergyReport {
  StateTimes time{};
  std::array<Energy, kPowerStateCount> energy{};
  Duration total_time;
  Energy total;
  // One line per state with time, power and energy, for logs.
  std::string to_string(const PowerTable& power) const;
};

EnergyReport make_energy_report(const StateTimes& times, const PowerTable& power);

}  // namespace jettison::emu
