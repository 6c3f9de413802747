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

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

// A route's resources, in the order the data crosses them: a view into the one array of all routes'
// resources kept by the topology (no heap block per route). Reads as a span (and converts to one) and
// compares equal to a vector of the same ids.
class RouteHops {
 public:
  using value_type = ResourceId;
  using iterator = const ResourceId*;
  using const_iterator = const ResourceId*;

  RouteHops() = default;
  RouteHops(const ResourceId* data, std::uint32_t size) : data_(data), size_(size) {}
  const ResourceId* begin() const { return data_; }
  const ResourceId* end() const { return data_ + size_; }
  const ResourceId* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  ResourceId operator[](std::size_t i) const { return data_[i]; }
  ResourceId back() const { return data_[size_ - 1]; }
  operator std::span<const ResourceId>() const { return {data_, size_}; }  // NOLINT: reads as a span
  friend bool operator==(const RouteHops& a, const std::vector<ResourceId>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  const ResourceId* data_ = nullptr;
  std::uint32_t size_ = 0;
};

struct Route {
  RouteHops resources;   // in the order the data crosses them
  Duration latency;      // sum of the links' latencies
  Bandwidth bottleneck;  // smallest capacity on the route
  // Number of links: a link is crossed in one direction, one resource (32 bytes a route, not 40).
  std::uint32_t hops() const { return static_cast<std::uint32_t>(resources.size()); }
};

class Topology {
 public:
  // A resource described (built on demand from the compact form kept; links.csv, messages).
  struct ResourceInfo {
    std::string link;      // "a-b", as declared
    std::string from, to;  // the direction carried; a half-duplex resource says a -> b
    Bandwidth capacity;
    bool half_duplex = false;
  };

  // Throws TopologyError: unknown node, duplicate or empty node name, self-link, bandwidth not
  // positive, negative latency, no desktops, no servers, a desktop that cannot reach a server.
  static Topology build(const TopologySpec& spec);
  // Routes point into the topology's own array: a moved topology keeps them, a copy could not.
  Topology(Topology&&) = default;
  Topology& operator=(Topology&&) = default;
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  // `desktop` and `server` are indices among the desktop (server) nodes, in spec order.
  const Route& route(std::uint32_t desktop, std::uint32_t server, Direction dir) const&;
  // Routes and resource infos live in the Topology: no references into a temporary one.
  const Route& route(std::uint32_t desktop, std::uint32_t server, Direction dir) const&& = delete;

  // One capacity per ResourceId: the input of the flow network.
  std::vector<Bandwidth> capacities() const;
  Bandwidth capacity(ResourceId id) const { return links_[resources_[id].link].bandwidth; }
  ResourceInfo resource(ResourceId id) const;
  std::size_t resources() const { return resources_.size(); }

  std::uint32_t desktop_count() const { return static_cast<std::uint32_t>(desktops_.size()); }
  std::uint32_t server_count() const { return static_cast<std::uint32_t>(servers_.size()); }
  const std::string& desktop_name(std::uint32_t desktop) const;
  const std::string& server_name(std::uint32_t server) const;
  // Throw TopologyError when the name is not a desktop (server).
  std::uint32_t desktop_index(std::string_view name) const;
  // The same, nullopt when the name is not a desktop.
  std::optional<std::uint32_t> find_desktop(std::string_view name) const;
  std::uint32_t server_index(std::string_view name) const;

 private:
  Topology() = default;
  std::size_t route_slot(std::uint32_t desktop, std::uint32_t server, Direction dir) const;

  // Kept compact (a topology lives as long as its scenario, with a link or more per desktop): every
  // node's name once, links and resources as indices, names joined only when asked for.
  struct LinkInfo {
    std::uint32_t a = 0, b = 0;  // node indices, as declared
    Bandwidth bandwidth;
  };
  struct ResourceSlot {
    std::uint32_t link = 0;
    bool b_to_a = false;  // carries b -> a (the second resource of a full-duplex link)
    bool half_duplex = false;
  };

  std::vector<std::string> nodes_;       // every node's name, in spec order
  std::vector<std::uint32_t> desktops_;  // node index of each desktop, in spec order
  std::vector<std::uint32_t> servers_;   // node index of each server, in spec order
  // Indices into desktops_ (servers_) sorted by name, for the look-ups by name: 4 bytes a desktop
  // where a hash map took ~60.
  std::vector<std::uint32_t> desktops_by_name_;
  std::vector<std::uint32_t> servers_by_name_;
  std::vector<LinkInfo> links_;
  std::vector<ResourceSlot> resources_;
  std::vector<ResourceId> hops_;  // the resources of every route, one route after another
  std::vector<Route> routes_;     // route_slot(d, s, dir); their resources point into hops_
};

}  // namespace jettison::sim::net
