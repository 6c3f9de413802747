#include "sim/embedded/default_scenario_copy.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "common/config/desktop_loader.hpp"
#include "common/config/embedded_files.hpp"
#include "common/config/input_file.hpp"

namespace jettison::sim {
namespace {

struct PathEdit {
  std::size_t pos = 0;  // of the scalar in the text
  std::string old_value, new_value;
};

void add_edit(const YAML::Node& n, std::vector<PathEdit>& edits) {
  if (!n || !n.IsScalar()) return;
  const std::string value = n.Scalar();
  const std::string resolved = config::resolve_relative(config::kDefaultScenario, value);
  if (resolved != value) edits.push_back({static_cast<std::size_t>(n.Mark().pos), value, resolved});
}

}  // namespace

std::string default_scenario_copy() {
  const auto embedded = config::embedded_file("scenarios/default.yaml");
  if (!embedded) throw std::logic_error("scenarios/default.yaml is not embedded");
  std::string text(*embedded);
  const YAML::Node root = YAML::Load(text);
  std::vector<PathEdit> edits;
  add_edit(root["idle_trace"], edits);
  add_edit(root["extends"], edits);
  if (const YAML::Node profiles = root["page_traces"]["profiles"]; profiles && profiles.IsSequence()) {
    for (const YAML::Node& p : profiles) add_edit(p["file"], edits);
  }
  // From the last to the first, so earlier positions stay valid.
  std::sort(edits.begin(), edits.end(), [](const PathEdit& a, const PathEdit& b) { return a.pos > b.pos; });
  for (const PathEdit& e : edits) {
    // Plain scalars only: the default writes its paths unquoted (a quoted one would fail here, in the
    // tests, not silently in a user's copy).
    if (text.compare(e.pos, e.old_value.size(), e.old_value) != 0)
      throw std::logic_error("scenarios/default.yaml: a file path is not a plain scalar: " + e.old_value);
    text.replace(e.pos, e.old_value.size(), e.new_value);
  }
  return text;
}

}  // namespace jettison::sim
