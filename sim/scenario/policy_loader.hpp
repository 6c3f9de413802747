// Reads the `policy:` section of a scenario: sleep scheduler, prefetcher, resume planner and
// migration trigger, each chosen by name from its registry, with its tunables.
#pragma once

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/yaml_node.hpp"

namespace jettison::sim {

void read_policy(const YamlNode& node, Scenario& s);

}  // namespace jettison::sim
