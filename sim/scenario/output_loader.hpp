// Reads the parts of a scenario that only shape outputs: `about:` (title, description, the
// published ranges a report shows next to ours) and `output:` (which desktops get a timeline).
#pragma once

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/yaml_node.hpp"

namespace jettison::sim {

void read_about(const YamlNode& node, Scenario& s);
// Needs the desktops read already. Without `output.timeline`, the first two desktops.
void read_output(const std::optional<YamlNode>& node, Scenario& s);

}  // namespace jettison::sim
