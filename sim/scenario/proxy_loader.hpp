// Reads `proxy:`, the figures of the `proxy` strategy (sim/scenario/proxy_spec.hpp). The section is
// optional: without it, or for a key it leaves out, ProxySpec's defaults (those of
// scenarios/default.yaml).
#pragma once

#include <optional>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/yaml_node.hpp"

namespace jettison::sim {

void read_proxy(const std::optional<YamlNode>& node, Scenario& s);

}  // namespace jettison::sim
