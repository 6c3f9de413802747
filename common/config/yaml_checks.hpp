// Checks of a parsed YAML tree that yaml-cpp does not make, run once per document as it is loaded
// (every file of an extends chain, the agent's configuration, each --set value): every mapping key
// is a plain scalar (not a list, a mapping or empty), no mapping gives a key twice (yaml-cpp keeps
// both and lookups see only one), and every key and value is valid UTF-8.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>

#include "common/config/config_errors.hpp"

namespace jettison::config {

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view text);

// `text` for messages: bytes that are not valid UTF-8 written as \xNN, control characters escaped.
std::string printable(std::string_view text);

// Where the checked tree came from: a file (errors "file:line: key.path") or a --set value
// (errors "--set key.path", with `set_path` the path it was set at).
struct YamlSource {
  std::string file;
  std::string set_path;
};

// Records every problem of the tree in `errors` (see the file comment). Shared nodes (aliases) are
// checked once.
void check_yaml_tree(const YAML::Node& root, const YamlSource& source, ConfigErrors& errors);

// A configuration file is small: reading stops past this many bytes (a scenario naming /dev/zero or
// a huge file fails at once instead of filling memory).
inline constexpr std::size_t kMaxConfigBytes = std::size_t{16} << 20;

// All of `in` (the file `file`), or InputError when it holds more than kMaxConfigBytes or cannot be read.
std::string read_config_text(std::istream& in, const std::string& file);

// Parses `text` as one YAML document from `file` and checks it: InputError "file:line: not valid
// YAML: ..." or every problem check_yaml_tree finds.
YAML::Node load_checked_yaml(const std::string& text, const std::string& file);

}  // namespace jettison::config
