// The strategy comparison printed at the end of `jettison-sim run`.
#pragma once

#include <cstdio>

#include "sim/run/run_scenario.hpp"

namespace jettison::sim {

void print_summary_table(std::FILE* out, const Scenario& s, const RunReport& report);

}  // namespace jettison::sim
