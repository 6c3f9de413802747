// The one loader of a scenario's `desktop:` section (vm_memory, power per state, transitions, link)
// and its `page_size`, used by the simulator's scenario loader and by the emulator (agent config,
// default figures). Every problem is an InputError naming file:line: key. With an error collector in
// the document (YamlDocument::errors), each key's error is recorded and reading goes on: the values
// returned then hold defaults where a key was bad, for the caller to discard.
#pragma once

#include <optional>
#include <string>

#include "common/config/desktop_figures.hpp"
#include "common/config/yaml_node.hpp"

namespace jettison::config {

// The name under which the compiled-in default scenario is found.
inline constexpr const char* kDefaultScenario = "embedded:scenarios/default.yaml";

// `power:` (every state), `transitions:`, `link:`. With `base`, keys may be left out and keep the
// base's value (a desktops.list entry overriding some of them); without, every key is required.
PowerTable read_power(const YamlNode& n, const PowerTable* base);
Transitions read_transitions(const YamlNode& n, const Transitions* base);
Link read_link(const YamlNode& n, const Link* base);

// `page_size:` (absent: 4 KiB); a power of two of at least 512 B.
Bytes read_page_size(const std::optional<YamlNode>& n);

// The `desktop:` section; every key required, no others allowed. `page_size` is the scenario's.
DesktopFigures read_desktop(const YamlNode& n, Bytes page_size);

// The path from a desktop on `link` to its first server on an idle network, for the `network:`
// section (absent: dedicated) of the generated topologies: dedicated (the desktop's link), star
// (+ uplink), two-tier (+ access_uplink + server_link); none for a custom topology (its routes are
// the simulator's to compute). Only the keys named are read (the simulator checks the rest).
std::optional<ServerPath> read_server_path(const std::optional<YamlNode>& network, const Link& link);

// A scenario file's (or kDefaultScenario's) desktop section, page size and server path, `extends`
// followed. Only those keys are read: the simulator checks the rest of the scenario.
ScenarioFigures load_scenario_figures(const std::string& path);

// The default scenario's figures, loaded once from the embedded scenarios/default.yaml.
const ScenarioFigures& default_scenario_figures();

}  // namespace jettison::config
