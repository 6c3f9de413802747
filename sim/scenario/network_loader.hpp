// Reads `network:` (after the desktops and servers are known): a generated topology (dedicated, star,
// two-tier) or a custom one of nodes and links, and the bandwidth-sharing solver. Builds the topology,
// so an unknown node, a bad bandwidth or an unreachable server is reported here, with its origin.
#pragma once

#include <optional>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/yaml_node.hpp"

namespace jettison::sim {

// The keys of `network:` and of its links, nodes and link entries (every unknown one), which need
// no desktops: the scenario loader checks them before the desktops are known. read_network does too.
void check_network_keys(const YamlNode& n);

// Reads the scenario's `network:` (`top` is the whole scenario: errors name where each desktop and
// server was declared). Absent: every desktop on its own dedicated link to each server
// (desktop.link), nothing shared.
void read_network(const YamlNode& top, Scenario& s);

}  // namespace jettison::sim
