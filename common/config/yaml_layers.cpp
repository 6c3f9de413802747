#include "common/config/yaml_layers.hpp"

#include <fmt/format.h>

#include "common/config/input_file.hpp"
#include "common/config/yaml_checks.hpp"
#include "common/input_error.hpp"

namespace jettison::config {
namespace {

// One file of the chain, checked on its own (keys, duplicates, UTF-8) so errors name that file.
YAML::Node parse_yaml(const std::string& path) {
  auto in = open_input(path, path);
  return load_checked_yaml(read_config_text(*in, path), path);
}

// Lays `top` over `base`: mappings merge key by key, anything else replaces. Records which file set
// each replaced path, for error origins.
void overlay(YAML::Node base, const YAML::Node& top, const std::string& prefix, const std::string& file,
             YamlDocument& doc) {
  for (const auto& kv : top) {
    const std::string key = kv.first.Scalar();  // keys were checked when the file was read
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    const YAML::Node existing = static_cast<const YAML::Node&>(base)[key];
    if (existing.IsDefined() && existing.IsMap() && kv.second.IsMap()) {
      overlay(base[key], kv.second, path, file, doc);
      continue;
    }
    base[key] = kv.second;
    for (auto it = doc.from.begin(); it != doc.from.end();) {
      it = it->first.rfind(path, 0) == 0 ? doc.from.erase(it) : std::next(it);
    }
    doc.from[path] = file;
  }
}

YAML::Node lay_over_base(YAML::Node root, const std::string& path, YamlDocument& doc, int depth);

YAML::Node read_layers(const std::string& path, YamlDocument& doc, int depth) {
  return lay_over_base(parse_yaml(path), path, doc, depth);
}

// `root`, the document of `path`, laid over the files it extends.
YAML::Node lay_over_base(YAML::Node root, const std::string& path, YamlDocument& doc, int depth) {
  if (!root.IsMap()) {  // reported by the checks that follow
    doc.base_file = path;
    return root;
  }
  const YAML::Node ext = static_cast<const YAML::Node&>(root)["extends"];
  if (!ext.IsDefined()) {
    doc.base_file = path;
    return root;
  }
  const std::string origin = fmt::format("{}:{}: extends", path, ext.Mark().line + 1);
  if (!ext.IsScalar()) throw InputError(origin, "expected the path of a scenario file");
  if (depth >= 8) throw InputError(origin, "more than 8 levels of extends (a cycle?)");
  const std::string base_path = resolve_relative(path, ext.Scalar());
  if (!input_exists(base_path)) throw InputError(origin, fmt::format("cannot open '{}'", base_path));
  YAML::Node merged = read_layers(base_path, doc, depth + 1);
  if (!merged.IsMap()) throw InputError(base_path, "a scenario is a mapping of keys to values");
  root.remove("extends");
  overlay(merged, root, "", path, doc);
  return merged;
}

}  // namespace

YAML::Node read_yaml_layers(const std::string& path, YamlDocument& doc) { return read_layers(path, doc, 0); }

YAML::Node read_yaml_layers_text(const std::string& text, const std::string& name, YamlDocument& doc) {
  return lay_over_base(load_checked_yaml(text, name), name, doc, 0);
}

}  // namespace jettison::config
