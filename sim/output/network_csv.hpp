// links.csv (one row per strategy x link direction that carried traffic) and servers.csv (one row per
// strategy x server): the network and consolidation figures of a run.
#pragma once

#include <ostream>
#include <vector>

#include "sim/metrics/strategy_result.hpp"
#include "sim/network/topology.hpp"

namespace jettison::sim {

// Link names from `topology` (the run's scenario's network.graph).
void write_links_csv(std::ostream& out, const net::Topology& topology,
                     const std::vector<StrategyResult>& results);
void write_servers_csv(std::ostream& out, const std::vector<StrategyResult>& results);

}  // namespace jettison::sim
