// `migration.hybrid`: when the `hybrid` strategy sends the rest of a partially migrated VM to the
// server, and how fast (sim/MODEL.md, "hybrid").
#pragma once

#include "common/quantity.hpp"
#include "common/time.hpp"

namespace jettison::sim {

struct HybridMigrationSpec {
  // How long the VM has run on the server (from the partial migration's end) before the pages still
  // on the desktop follow in bulk.
  Duration after = Duration::seconds(30 * 60);
  // The bulk transfer's rate limit; the network path may give it less (it is a flow on the route).
  Bandwidth rate = Bandwidth::bits_per_second(100e6);
};

}  // namespace jettison::sim
