// A checked view of a YAML node that knows where it came from (file, line, key path, or a --set
// override), so every error names its origin. Typed getters parse values with units.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/config/config_errors.hpp"
#include "common/quantity.hpp"

namespace jettison::config {

// The document a node belongs to: its file, the files it extends (values it did not set come from
// them) and the key paths that --set replaced.
struct YamlDocument {
  std::string file;                         // the scenario named on the command line
  std::string base_file;                    // the file the document's values come from by default
  std::map<std::string, std::string> from;  // key path -> file that set it (longest prefix wins)
  std::set<std::string> overridden;
  // Where errors go while loading goes on past them (see YamlNode::attempt); none: the first throws.
  ConfigErrors* errors = nullptr;
  // The file a value at `path` came from.
  const std::string& file_for(const std::string& path) const;
};

class YamlNode {
 public:
  YamlNode(YAML::Node node, std::string path, const YamlDocument* doc,
           YAML::Mark key_mark = YAML::Mark::null_mark())
      : node_(std::move(node)), path_(std::move(path)), doc_(doc), key_mark_(key_mark) {}

  const std::string& path() const { return path_; }
  // The file this value was written in (a scenario may extend another): relative paths resolve from
  // it. Empty for values given with --set: those resolve from the current folder.
  std::string source_file() const;
  // "file:line: key.path", or "--set key.path" for overridden values.
  std::string origin() const;
  // Throws LocatedInputError "origin: message".
  [[noreturn]] void fail(const std::string& message) const;
  // Runs `read`; with an error collector in the document, an InputError it throws is recorded and
  // loading goes on (the value keeps its default); without, the error propagates. True on success.
  bool attempt(const std::function<void()>& read) const;

  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool has(std::string_view key) const;
  YamlNode at(std::string_view key) const;  // required
  // "missing required key 'key' (note)". With an error collector, when a sibling key is a near miss
  // of `key` (reported as unknown), a FollowOnInputError: shown only if nothing else is wrong.
  [[noreturn]] void fail_missing(std::string_view key, std::string_view note = {}) const;
  std::optional<YamlNode> find(std::string_view key) const;
  // Rejects keys not in `allowed` (typos are never ignored), every one of them: recorded in the
  // document's collector, or thrown together; requires a mapping.
  void expect_keys(std::initializer_list<std::string_view> allowed) const;
  std::vector<YamlNode> items() const;                            // a sequence's elements
  std::vector<std::pair<std::string, YamlNode>> entries() const;  // a mapping's key/value pairs

  std::string text() const;  // any scalar
  std::uint64_t unsigned_int() const;
  bool boolean() const;
  Power power() const;
  Duration duration() const;
  Bytes bytes() const;
  Bandwidth bandwidth() const;

 private:
  std::string child_path(std::string_view key) const;
  int line() const;  // 1-based; 0 when unknown
  YamlNode child(const YAML::Node& n, std::string path, YAML::Mark key_mark = YAML::Mark::null_mark()) const {
    return YamlNode(n, std::move(path), doc_, key_mark);
  }

  YAML::Node node_;
  std::string path_;
  const YamlDocument* doc_;
  YAML::Mark key_mark_;  // where this value's key is: empty values have no useful mark of their own
};

}  // namespace jettison::config
