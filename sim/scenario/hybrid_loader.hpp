// Reads `migration.hybrid` ({after: <duration>, rate: <bandwidth>}, both with units) into
// Scenario::migration.hybrid. The block is optional: without it the defaults of HybridMigrationSpec
// hold (30 min, 100 Mbps).
#pragma once

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/yaml_node.hpp"

namespace jettison::sim {

// `migration` is the `migration:` node; errors name file, line and key (migration.hybrid.rate...).
void read_hybrid(const YamlNode& migration, Scenario& s);

}  // namespace jettison::sim
