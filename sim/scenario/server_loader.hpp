// Reads `server:`: the consolidation servers, placement, what happens when they are full, and their
// power model.
#pragma once

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/yaml_node.hpp"

namespace jettison::sim {

void read_servers(const YamlNode& n, Scenario& s);
// A plain number in [lo, hi] (dimensionless settings such as a utilisation share).
double read_number_in(const YamlNode& n, double lo, double hi);

}  // namespace jettison::sim
