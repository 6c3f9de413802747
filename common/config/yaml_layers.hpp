// Reads a YAML file (from disk or embedded) with its `extends:` chain: a top-level `extends: BASE.yaml`
// (relative to the file) reads BASE first and lays the file over it, mappings merged key by key.
// The document records which file set each value, so errors name the right file and line.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "common/config/yaml_node.hpp"

namespace jettison::config {

// The merged document of `path` and the files it extends; fills `doc.base_file` and `doc.from`
// (the caller sets `doc.file`). InputError names file and line for invalid YAML, a key that is not a
// plain word, a key given twice, text that is not UTF-8 (every such error of a file, not only the
// first), a bad `extends`, a missing base file or more than 8 levels.
YAML::Node read_yaml_layers(const std::string& path, YamlDocument& doc);

// The same for a document given as `text` (the Python API's scenarios from a string or a dict):
// `name` stands for its file in errors, and its `extends` resolves from name's folder.
YAML::Node read_yaml_layers_text(const std::string& text, const std::string& name, YamlDocument& doc);

}  // namespace jettison::config
