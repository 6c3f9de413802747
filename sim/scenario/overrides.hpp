// `--set key.path=value`: replaces (or adds) one value in a parsed scenario before it is checked, so
// an override meets exactly the same validation as the file. `desktops.list.0.profile=linux` indexes
// lists. Returns the dotted path it set, for error origins.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

namespace jettison::sim {

std::string apply_override(YAML::Node& root, const std::string& assignment);

}  // namespace jettison::sim
