// What one strategy's run over the whole scenario adds up to (one engine, or its shards merged).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/quantity.hpp"
#include "sim/metrics/strategy_totals.hpp"
#include "sim/model/server_account.hpp"
#include "sim/network/resource_id.hpp"

namespace jettison::sim {

// One network resource (a link direction, or a half-duplex link) over a run. Its names ("a-b", from,
// to) are the topology's, built when written (net::Topology::resource): a run keeps a few of these
// per desktop, so 40 bytes each rather than three strings.
struct LinkFigures {
  net::ResourceId resource = 0;
  Bandwidth capacity;
  double peak_utilisation = 0;
  double mean_utilisation = 0;
  Bytes carried;
};

struct StrategyResult {
  std::string strategy;
  StrategyTotals totals;
  std::uint64_t events = 0;
  std::uint64_t inline_events = 0;  // of `events`, those trace streams ran without the queue
  Bytes server_peak;
  std::uint64_t server_refusals = 0;
  std::vector<ServerFigures> servers;
  std::vector<LinkFigures> links;  // resources that carried any flow
  std::uint64_t flows = 0;
  std::uint64_t rate_recomputations = 0;
  std::size_t peak_concurrent_flows = 0;
};

}  // namespace jettison::sim
