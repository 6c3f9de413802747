// Reads the parts of a scenario that only shape outputs: `about:` (title, description, the
// published ranges a report shows next to ours) and `output:` (which desktops get a timeline, what
// is written per idle period, and the output budget).
#pragma once

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/yaml_node.hpp"

namespace jettison::sim {

inline constexpr Bytes kDefaultOutputBudget = Bytes::of(std::uint64_t{20} << 30);  // 20 GiB

// `strategies_known`: s.strategies is the scenario's whole list (published ranges must name one of
// them); false when reading the strategies failed, so as not to blame the ranges for it.
void read_about(const YamlNode& node, Scenario& s, bool strategies_known = true);
// The keys of `output:`, which need no desktops (checked before they are known; read_output does too).
void check_output_keys(const YamlNode& node);
// Needs the desktops read already. Without `output.timeline`, the first two desktops; without
// `output.periods`, csv; without `output.budget`, kDefaultOutputBudget (`none`: no limit).
void read_output(const std::optional<YamlNode>& node, Scenario& s);

}  // namespace jettison::sim
