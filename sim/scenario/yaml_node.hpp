// The checked YAML view the scenario loaders use: common/config/yaml_node.hpp (shared with the
// emulator's configuration), seen from the simulator.
#pragma once

#include "common/config/yaml_node.hpp"

namespace jettison::sim {

using config::YamlDocument;
using config::YamlNode;

}  // namespace jettison::sim
