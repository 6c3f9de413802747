#include "common/config/yaml_node.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "common/input_error.hpp"
#include "common/units.hpp"

namespace jettison::config {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

bool under(const std::string& path, const std::string& prefix) {
  return path == prefix || (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
                            (path[prefix.size()] == '.' || path[prefix.size()] == '['));
}

}  // namespace

const std::string& YamlDocument::file_for(const std::string& path) const {
  const std::string* best = base_file.empty() ? &file : &base_file;
  std::size_t best_len = 0;
  for (const auto& [prefix, f] : from) {
    if (prefix.size() >= best_len && under(path, prefix)) {
      best = &f;
      best_len = prefix.size();
    }
  }
  return *best;
}

std::string YamlNode::source_file() const {
  for (const std::string& o : doc_->overridden)
    if (under(path_, o)) return {};
  return doc_->file_for(path_);
}

int YamlNode::line() const {
  YAML::Mark mark = node_.Mark();
  if (!key_mark_.is_null() && (node_.IsNull() || mark.is_null() || mark.line < 0)) mark = key_mark_;
  return mark.is_null() || mark.line < 0 ? 0 : mark.line + 1;
}

std::string YamlNode::origin() const {
  for (const std::string& o : doc_->overridden) {
    if (under(path_, o)) return fmt::format("--set {}", path_);
  }
  const std::string where = path_.empty() ? std::string() : ": " + path_;
  const std::string& file = doc_->file_for(path_);
  const int l = line();
  if (l == 0) return fmt::format("{}{}", file, where);
  return fmt::format("{}:{}{}", file, l, where);
}

void YamlNode::fail(const std::string& message) const {
  const std::string file = source_file();
  if (file.empty()) throw InputError(origin(), message);  // a --set value: no file, no line
  throw LocatedInputError(origin(), message, file, line());
}

bool YamlNode::attempt(const std::function<void()>& read) const {
  if (doc_->errors) return doc_->errors->attempt(read);
  read();
  return true;
}

std::string YamlNode::child_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

bool YamlNode::has(std::string_view key) const {
  if (!node_.IsMap()) return false;
  const YAML::Node c = static_cast<const YAML::Node&>(node_)[std::string(key)];
  return c.IsDefined();
}

std::optional<YamlNode> YamlNode::find(std::string_view key) const {
  if (!node_.IsMap()) fail("expected a mapping of keys to values");
  for (const auto& kv : node_) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key)
      return child(kv.second, child_path(key), kv.first.Mark());
  }
  return std::nullopt;
}

void YamlNode::fail_missing(std::string_view key, std::string_view note) const {
  const std::string message = note.empty() ? fmt::format("missing required key '{}'", key)
                                           : fmt::format("missing required key '{}' ({})", key, note);
  // A sibling key one or two typos away is reported as unknown ("did you mean"): this follows from it.
  bool misspelled = false;
  if (node_.IsMap()) {
    for (const auto& kv : node_)
      misspelled = misspelled || (kv.first.IsScalar() && edit_distance(kv.first.Scalar(), key) <= 2);
  }
  if (doc_->errors && misspelled) throw FollowOnInputError(origin(), message, source_file(), line());
  fail(message);
}

YamlNode YamlNode::at(std::string_view key) const {
  auto c = find(key);
  if (!c) fail_missing(key);
  if (c->node_.IsNull()) c->fail("has no value");
  return *c;
}

void YamlNode::expect_keys(std::initializer_list<std::string_view> allowed) const {
  if (!node_.IsMap()) fail("expected a mapping of keys to values");
  ConfigErrors own;
  ConfigErrors& errors = doc_->errors ? *doc_->errors : own;
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar()) continue;  // rejected when the file was read
    const std::string key = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string hint;
    for (std::string_view a : allowed) {
      if (edit_distance(key, a) <= 2) hint = fmt::format(" (did you mean '{}'?)", a);
    }
    std::string list;
    for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    const std::string key_path = child_path(key);
    bool from_set = false;
    for (const std::string& o : doc_->overridden) {
      if (!from_set && under(o, key_path)) {
        errors.add(InputError(
            fmt::format("--set {}", o),
            fmt::format("unknown key '{}' in '{}'{}; allowed here: {}", key, key_path, hint, list)));
        from_set = true;
      }
    }
    if (from_set) continue;
    errors.attempt([&] {
      child(kv.second, key_path, kv.first.Mark())
          .fail(fmt::format("unknown key '{}'{}; allowed here: {}", key, hint, list));
    });
  }
  own.throw_if_any();
}

std::vector<YamlNode> YamlNode::items() const {
  if (!node_.IsSequence()) fail("expected a list");
  std::vector<YamlNode> out;
  std::size_t i = 0;
  for (const auto& n : node_) out.push_back(child(n, fmt::format("{}[{}]", path_, i++)));
  return out;
}

std::vector<std::pair<std::string, YamlNode>> YamlNode::entries() const {
  if (!node_.IsMap()) fail("expected a mapping of keys to values");
  std::vector<std::pair<std::string, YamlNode>> out;
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar()) continue;  // rejected when the file was read
    const std::string key = kv.first.Scalar();
    out.emplace_back(key, child(kv.second, child_path(key), kv.first.Mark()));
  }
  return out;
}

std::string YamlNode::text() const {
  if (node_.IsNull()) fail("has no value");
  if (!node_.IsScalar()) fail("expected a single value, not a list or mapping");
  return node_.Scalar();
}

std::uint64_t YamlNode::unsigned_int() const {
  const std::string s = text();
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    fail(fmt::format("'{}' is not a non-negative whole number", s));
  }
  return v;
}

bool YamlNode::boolean() const {
  const std::string s = text();
  if (s == "true") return true;
  if (s == "false") return false;
  fail(fmt::format("'{}' is not true or false", s));
}

template <class F>
static auto with_origin(const YamlNode& n, F&& parse) {
  try {
    return parse(n.text());
  } catch (const UnitError& e) {
    n.fail(e.what());
  }
}

Power YamlNode::power() const {
  return with_origin(*this, [](const std::string& s) { return parse_power(s); });
}
Duration YamlNode::duration() const {
  return with_origin(*this, [](const std::string& s) { return parse_duration(s); });
}
Bytes YamlNode::bytes() const {
  return with_origin(*this, [](const std::string& s) { return parse_bytes(s); });
}
Bandwidth YamlNode::bandwidth() const {
  return with_origin(*this, [](const std::string& s) { return parse_bandwidth(s); });
}

}  // namespace jettison::config
