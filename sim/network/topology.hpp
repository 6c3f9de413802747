// A checked network: the links of a TopologySpec turned into shared resources, and one route for
// every (desktop, server) pair in each direction, computed once at construction.
//
// Resources: a full-duplex link a-b gives two (a->b, then b->a), a half-duplex link one, shared by both
// directions; ids follow the order of the links in the spec.
// Routes: shortest by total latency, then by hop count; they pass only through switches and routers.
// Among equally short routes, the one taken is fixed: walking from the desktop, each hop takes the
// link declared first in the spec among those still on a shortest route. Both directions use the
// same links (reversed for kToDesktop).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/input_error.hpp"
#include "common/quantity.hpp"
#include "common/time.hpp"
#include "sim/network/resource_id.hpp"
#include "sim/network/topology_spec.hpp"

namespace jettison::sim::net {

// Bad topology input. The origin is the offending link's origin when there is one.
class TopologyError : public InputError {
 public:
  using InputError::InputError;
};

enum class Direction { kToServer, kToDesktop };

struct Route {
  std::vector<ResourceId> resources;  // in the order the data crosses them
  Duration latency;                   // sum of the links' latencies
  std::uint32_t hops = 0;             // number of links
  Bandwidth bottleneck;               // smallest capacity on the route
};

class Topology {
 public:
  struct ResourceInfo {
    std::string link;      // "a-b", as declared
    std::string from, to;  // the direction carried; a half-duplex resource says a -> b
    Bandwidth capacity;
    bool half_duplex = false;
  };

  // Throws TopologyError: unknown node, duplicate or empty node name, self-link, bandwidth not
  // positive, negative latency, no desktops, no servers, a desktop that cannot reach a server.
  static Topology build(const TopologySpec& spec);

  // `desktop` and `server` are indices among the desktop (server) nodes, in spec order.
  const Route& route(std::uint32_t desktop, std::uint32_t server, Direction dir) const&;
  // Routes and resource infos live in the Topology: no references into a temporary one.
  const Route& route(std::uint32_t desktop, std::uint32_t server, Direction dir) const&& = delete;

  // One capacity per ResourceId: the input of the flow network.
  std::vector<Bandwidth> capacities() const;
  const ResourceInfo& resource(ResourceId id) const&;
  const ResourceInfo& resource(ResourceId id) const&& = delete;
  std::size_t resources() const { return resources_.size(); }

  std::uint32_t desktop_count() const { return static_cast<std::uint32_t>(desktops_.size()); }
  std::uint32_t server_count() const { return static_cast<std::uint32_t>(servers_.size()); }
  const std::string& desktop_name(std::uint32_t desktop) const;
  const std::string& server_name(std::uint32_t server) const;
  // Throw TopologyError when the name is not a desktop (server).
  std::uint32_t desktop_index(std::string_view name) const;
  std::uint32_t server_index(std::string_view name) const;

 private:
  Topology() = default;
  std::size_t route_slot(std::uint32_t desktop, std::uint32_t server, Direction dir) const;

  std::vector<std::string> desktops_;
  std::vector<std::string> servers_;
  std::unordered_map<std::string, std::uint32_t> desktop_by_name_;
  std::unordered_map<std::string, std::uint32_t> server_by_name_;
  std::vector<ResourceInfo> resources_;
  std::vector<Route> routes_;  // route_slot(d, s, dir)
};

}  // namespace jettison::sim::net
