#include "sim/scenario/overrides.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <vector>

#include "common/config/yaml_checks.hpp"
#include "common/input_error.hpp"

namespace jettison::sim {
namespace {

std::vector<std::string> split_path(const std::string& path, const std::string& origin) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty()) throw InputError(origin, fmt::format("key path '{}' has an empty segment", path));
    parts.push_back(std::move(part));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

std::optional<std::size_t> as_index(const std::string& s) {
  std::size_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// Walks (creating mappings as needed) and sets the value; returns the path as the loader spells it
// ("desktops.list[0].profile").
std::string set_path(YAML::Node node, const std::vector<std::string>& parts, std::size_t i,
                     const YAML::Node& value, const std::string& origin, std::string walked) {
  const std::string& key = parts[i];
  if (node.IsSequence()) {
    walked += "[" + key + "]";
    const auto idx = as_index(key);
    if (!idx || *idx >= node.size()) {
      throw InputError(origin, fmt::format("'{}': the list has {} entries, '{}' is not an index into it",
                                           walked, node.size(), key));
    }
    if (i + 1 == parts.size()) {
      node[*idx] = value;
      return walked;
    }
    return set_path(node[*idx], parts, i + 1, value, origin, walked);
  }
  walked += (walked.empty() ? "" : ".") + key;
  if (!node.IsMap() && !node.IsNull()) {
    throw InputError(origin, fmt::format("'{}': its parent holds a single value, not keys", walked));
  }
  if (i + 1 == parts.size()) {
    node[key] = value;
    return walked;
  }
  YAML::Node child = node[key];
  if (!child.IsDefined() || child.IsNull()) {
    node[key] = YAML::Node(YAML::NodeType::Map);
    child.reset(node[key]);
  }
  return set_path(child, parts, i + 1, value, origin, walked);
}

}  // namespace

std::string apply_override(YAML::Node& root, const std::string& assignment) {
  if (!config::is_valid_utf8(assignment)) {
    throw InputError(fmt::format("--set {}", config::printable(assignment)), "not valid UTF-8");
  }
  const std::string origin = fmt::format("--set {}", assignment);
  const std::size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw InputError(origin, "expected key.path=value");
  }
  const std::string path = assignment.substr(0, eq);
  const std::string raw = assignment.substr(eq + 1);
  YAML::Node value;
  try {
    value = YAML::Load(raw);
  } catch (const YAML::Exception& e) {
    throw InputError(origin, fmt::format("value is not valid YAML: {}", e.msg));
  }
  // The same checks as a file's values: plain keys, each once.
  config::ConfigErrors errors;
  config::check_yaml_tree(value, {"", path}, errors);
  errors.throw_if_any();
  return set_path(root, split_path(path, origin), 0, value, origin, "");
}

}  // namespace jettison::sim
