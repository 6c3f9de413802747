// Ready-made topologies, returned as specs (Topology::build checks and compiles them):
//   star       every desktop on one switch `sw0`, one uplink from sw0 to each server;
//   two_tier   desktops on access switches `acc0`, `acc1`, ... (N per switch, in order), each access
//              switch linked to one core switch `core`, and `core` linked to each server;
//   dedicated  every desktop has its own link to every server: nothing is shared (the per-desktop model).
// Per-desktop links are one per desktop, in the order of `desktops`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/quantity.hpp"
#include "common/time.hpp"
#include "sim/network/topology_spec.hpp"

namespace jettison::sim::net {

struct LinkParams {
  Bandwidth bandwidth;
  Duration latency;
  Duplex duplex = Duplex::kFull;
  std::string origin;  // copied into every LinkSpec made from these parameters (for errors)
};

// Each throws TopologyError when `desktop_links` does not hold one entry per desktop (two_tier also
// when desktops_per_access_switch is 0).
TopologySpec star(const std::vector<std::string>& desktops, const std::vector<LinkParams>& desktop_links,
                  const std::vector<std::string>& servers, const LinkParams& uplink);

TopologySpec two_tier(const std::vector<std::string>& desktops, const std::vector<LinkParams>& desktop_links,
                      std::uint32_t desktops_per_access_switch, const LinkParams& access_uplink,
                      const std::vector<std::string>& servers, const LinkParams& server_link);

TopologySpec dedicated(const std::vector<std::string>& desktops, const std::vector<LinkParams>& desktop_links,
                       const std::vector<std::string>& servers);

}  // namespace jettison::sim::net
