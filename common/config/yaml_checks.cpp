// The checks yaml-cpp does not make: plain keys, each key once per mapping, UTF-8 everywhere.
#include "common/config/yaml_checks.hpp"

#include <fmt/format.h>

#include <set>
#include <utility>
#include <vector>

namespace jettison::config {
namespace {

// Length of the well-formed UTF-8 sequence at text[i], or 0 when it is not one.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const auto cont = [&](std::size_t k) { return i + k < text.size() && (b(k) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(1) > 0x9F) return 0;  // UTF-16 surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(1) > 0x8F) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

// The first byte that breaks UTF-8, or npos.
std::size_t first_bad_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_length(text, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

class TreeChecker {
 public:
  TreeChecker(const YamlSource& source, ConfigErrors& errors) : source_(source), errors_(errors) {}

  void check(const YAML::Node& n, const std::string& path, const YAML::Mark& key_mark) {
    if (n.IsScalar()) {
      check_text(n.Scalar(), path, n.Mark().is_null() ? key_mark : n.Mark(), "value");
      return;
    }
    if (!n.IsMap() && !n.IsSequence()) return;
    // An alias shares its anchor's node (same place in the file): check it once, and never walk a
    // tree of aliases exponentially.
    if (!n.Mark().is_null() && !visited_.insert(n.Mark().pos).second) return;
    if (n.IsSequence()) {
      std::size_t i = 0;
      for (const YAML::Node& item : n) check(item, fmt::format("{}[{}]", path, i++), n.Mark());
      return;
    }
    std::vector<std::pair<std::string, int>> seen;  // keys of this mapping with their lines
    for (const auto& kv : n) {
      const YAML::Mark mark = kv.first.Mark();
      if (!kv.first.IsScalar()) {
        const char* what = kv.first.IsSequence() ? "a sequence" : kv.first.IsMap() ? "a mapping" : "empty";
        report(path, mark, fmt::format("keys must be plain words, not {}", what));
        continue;  // its value has no name to report under
      }
      const std::string& key = kv.first.Scalar();
      const std::string child = path.empty() ? printable(key) : path + "." + printable(key);
      check_text(key, child, mark, "key");
      bool duplicate = false;
      for (const auto& [k, line] : seen) {
        if (k != key) continue;
        report(child, mark, fmt::format("key '{}' given twice (first at line {})", printable(key), line + 1));
        duplicate = true;
        break;
      }
      if (duplicate) continue;
      seen.emplace_back(key, mark.line);
      check(kv.second, child, mark);
    }
  }

 private:
  void check_text(const std::string& text, const std::string& path, const YAML::Mark& mark,
                  const char* what) {
    const std::size_t bad = first_bad_utf8(text);
    if (bad == std::string_view::npos) return;
    report(path, mark,
           fmt::format("the {} '{}' is not valid UTF-8 (byte {} is 0x{:02x})", what, printable(text), bad + 1,
                       static_cast<unsigned char>(text[bad])));
  }

  void report(const std::string& path, const YAML::Mark& mark, const std::string& message) {
    if (!source_.set_path.empty()) {
      errors_.add(InputError(
          fmt::format("--set {}", path.empty() ? source_.set_path : source_.set_path + "." + path), message));
      return;
    }
    const int line = mark.is_null() || mark.line < 0 ? 0 : mark.line + 1;
    std::string origin = line > 0 ? fmt::format("{}:{}", source_.file, line) : source_.file;
    if (!path.empty()) origin += ": " + path;
    errors_.add(LocatedInputError(origin, message, source_.file, line));
  }

  const YamlSource& source_;
  ConfigErrors& errors_;
  std::set<int> visited_;
};

}  // namespace

bool is_valid_utf8(std::string_view text) { return first_bad_utf8(text) == std::string_view::npos; }

std::string printable(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_length(text, i);
    const auto c = static_cast<unsigned char>(text[i]);
    if (n == 0 || c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

void check_yaml_tree(const YAML::Node& root, const YamlSource& source, ConfigErrors& errors) {
  TreeChecker(source, errors).check(root, "", YAML::Mark::null_mark());
}

std::string read_config_text(std::istream& in, const std::string& file) {
  std::string text;
  char buf[65536];
  while (in) {
    in.read(buf, sizeof buf);
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) {
      throw InputError(file,
                       fmt::format("larger than {} MiB: not a configuration file", kMaxConfigBytes >> 20));
    }
  }
  if (in.bad()) throw InputError(file, "cannot be read");
  return text;
}

YAML::Node load_checked_yaml(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw LocatedInputError(fmt::format("{}:{}", file, e.mark.line + 1),
                            fmt::format("not valid YAML: {}", e.msg), file, e.mark.line + 1);
  }
  ConfigErrors errors;
  check_yaml_tree(root, {file, ""}, errors);
  errors.throw_if_any();
  return root;
}

}  // namespace jettison::config
