#include "emu/power/energy_report.hpp"

#include <fmt/format.h>

namespace jettison::emu {

EnergyReport make_energy_report(const StateTimes& times, const PowerTable& power) {
  EnergyReport r;
  r.time = times;
  for (std::size_t i = 0; i < kPowerStateCount; ++i) {
    r.energy[i] = power.watts[i] * times[i];
    r.total_time += times[i];
    r.total += r.energy[i];
  }
  return r;
}

std::string EnergyReport::to_string(const PowerTable& power) const {
  std::string out;
  for (std::size_t i = 0; i < kPowerStateCount; ++i) {
    if (time[i].us() == 0) continue;
    out += fmt::format("{:<19} {:>10.3f} s x {:>7.2f} W = {:>10.3f} J\n", kPowerStateNames[i],
                       time[i].seconds_f(), power.watts[i].watts(), energy[i].joules());
  }
  out += fmt::format("{:<19} {:>10.3f} s               {:>10.3f} J\n", "total", total_time.seconds_f(),
                     total.joules());
  return out;
}

}  // namespace jettison::emu
