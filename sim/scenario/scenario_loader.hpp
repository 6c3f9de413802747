// Reads a scenario YAML (a file, or the embedded default), applies --set overrides, checks every
// key and value, opens and checks the traces it names, and returns a Scenario. Any problem throws
// InputError naming file, line and key path.
#pragma once

#include <string>
#include <vector>

#include "common/config/desktop_loader.hpp"
#include "sim/scenario/scenario.hpp"

namespace jettison::sim {

// The name under which the compiled-in default scenario is found.
using config::kDefaultScenario;

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {});

// A scenario given as YAML `text` (the Python API): `name` stands for its file in errors and in
// summary.json's `source`; relative paths (traces, `extends`) resolve from name's folder.
Scenario load_scenario_text(const std::string& text, const std::string& name,
                            const std::vector<std::string>& overrides = {});

}  // namespace jettison::sim
