#include "sim/network/topology.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <cassert>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <unordered_map>
#include <utility>

namespace jettison::sim::net {
namespace {

// The length of a route: latency first, then hops. Integer, so equal routes compare exactly equal.
struct Cost {
  std::int64_t latency_us = 0;
  std::uint32_t hops = 0;
  auto operator<=>(const Cost&) const = default;
};

constexpr Cost kInfinite{std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::uint32_t>::max()};

// Saturating: anything plus infinity stays infinity (and never wraps).
struct CombineCost {
  Cost operator()(const Cost& a, const Cost& b) const {
    if (a == kInfinite || b == kInfinite) return kInfinite;
    if (a.latency_us > kInfinite.latency_us - b.latency_us) return kInfinite;
    return {a.latency_us + b.latency_us, a.hops + b.hops};
  }
};

// One arc per direction of each link; both arcs of a link have the same cost.
struct Arc {
  std::uint32_t link = 0;
  Cost cost;
};
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property, Arc>;
using Vertex = boost::graph_traits<Graph>::vertex_descriptor;
using ArcDesc = boost::graph_traits<Graph>::edge_descriptor;

// Dijkstra from a server may leave the server itself and switches/routers, never another end host:
// a route does not pass through a desktop or a second server.
struct ForwardingArcs {
  const Graph* graph = nullptr;
  const std::vector<bool>* forwards = nullptr;
  Vertex root = 0;
  bool operator()(const ArcDesc& e) const {
    const Vertex from = boost::source(e, *graph);
    return from == root || (*forwards)[from];
  }
};

// Positions in `members` (node indices) ordered by the nodes' names (names are unique).
std::vector<std::uint32_t> sorted_by_name(const std::vector<std::string>& nodes,
                                          const std::vector<std::uint32_t>& members) {
  std::vector<std::uint32_t> order(members.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return nodes[members[a]] < nodes[members[b]]; });
  return order;
}

// The position in `members` of the node named `name`, through `order` (sorted_by_name), or nullopt.
std::optional<std::uint32_t> find_by_name(const std::vector<std::string>& nodes,
                                          const std::vector<std::uint32_t>& members,
                                          const std::vector<std::uint32_t>& order, std::string_view name) {
  const auto it =
      std::lower_bound(order.begin(), order.end(), name,
                       [&](std::uint32_t i, std::string_view n) { return nodes[members[i]] < n; });
  if (it == order.end() || nodes[members[*it]] != name) return std::nullopt;
  return *it;
}

std::string link_name(const LinkSpec& l) { return l.a + "-" + l.b; }

[[noreturn]] void fail_link(const LinkSpec& l, const std::string& what) {
  throw TopologyError(l.origin, fmt::format("link {}: {}", link_name(l), what));
}

}  // namespace

Topology Topology::build(const TopologySpec& spec) {
  Topology t;

  // Nodes: unique, non-empty names; desktops and servers numbered in spec order.
  std::unordered_map<std::string, std::uint32_t> node_by_name;
  std::vector<bool> forwards;
  std::vector<Vertex> desktop_vertex, server_vertex;
  for (const NodeSpec& n : spec.nodes) {
    if (n.name.empty()) {
      throw TopologyError(n.origin, fmt::format("a {} node has an empty name", name_of(n.kind)));
    }
    const auto v = static_cast<std::uint32_t>(forwards.size());
    if (const auto [it, fresh] = node_by_name.emplace(n.name, v); !fresh) {
      // Reported at the second declaration, naming both (a desktop id may equal a server's or a
      // switch's name: node names are one namespace).
      const NodeSpec& first = spec.nodes[it->second];
      const auto as = [](const NodeSpec& d) {
        return d.origin.empty() ? fmt::format("a {}", name_of(d.kind))
                                : fmt::format("a {} ({})", name_of(d.kind), d.origin);
      };
      throw TopologyError(n.origin.empty() ? first.origin : n.origin,
                          fmt::format("node '{}' is declared twice: as {} and as {}; node names (desktop "
                                      "ids, server ids, switches and routers) must all differ",
                                      n.name, as(first), as(n)));
    }
    forwards.push_back(n.kind == NodeKind::kSwitch || n.kind == NodeKind::kRouter);
    if (n.kind == NodeKind::kDesktop) {
      t.desktops_.push_back(v);
      desktop_vertex.push_back(v);
    } else if (n.kind == NodeKind::kServer) {
      t.servers_.push_back(v);
      server_vertex.push_back(v);
    }
  }
  t.nodes_.reserve(spec.nodes.size());
  for (const NodeSpec& n : spec.nodes) t.nodes_.push_back(n.name);
  t.desktops_.shrink_to_fit();
  t.desktops_by_name_ = sorted_by_name(t.nodes_, t.desktops_);
  t.servers_by_name_ = sorted_by_name(t.nodes_, t.servers_);

  // Links: checked, then one or two resources each, and two arcs in the graph.
  Graph g(forwards.size());
  struct LinkEnds {
    Vertex a, b;
    ResourceId a_to_b, b_to_a;  // the same resource for a half-duplex link
  };
  std::vector<LinkEnds> ends;
  ends.reserve(spec.links.size());
  std::size_t resources = 0;
  for (const LinkSpec& l : spec.links) resources += l.duplex == Duplex::kHalf ? 1 : 2;
  t.links_.reserve(spec.links.size());  // exactly: a doubling vector leaves up to half its room unused
  t.resources_.reserve(resources);
  for (std::size_t i = 0; i < spec.links.size(); ++i) {
    const LinkSpec& l = spec.links[i];
    const auto a = node_by_name.find(l.a);
    if (a == node_by_name.end()) fail_link(l, fmt::format("unknown node '{}'", l.a));
    const auto b = node_by_name.find(l.b);
    if (b == node_by_name.end()) fail_link(l, fmt::format("unknown node '{}'", l.b));
    if (a->second == b->second) fail_link(l, fmt::format("connects node '{}' to itself", l.a));
    const double bps = l.bandwidth.bits_per_second();
    if (!std::isfinite(bps) || bps <= 0.0) {
      fail_link(l, fmt::format("bandwidth must be positive, got {} bit/s", bps));
    }
    if (l.latency.us() < 0) {
      fail_link(l, fmt::format("latency must not be negative, got {} us", l.latency.us()));
    }

    const bool half = l.duplex == Duplex::kHalf;
    LinkEnds e{a->second, b->second, static_cast<ResourceId>(t.resources_.size()), 0};
    const auto link = static_cast<std::uint32_t>(t.links_.size());
    t.links_.push_back({a->second, b->second, l.bandwidth});
    t.resources_.push_back({link, false, half});
    if (half) {
      e.b_to_a = e.a_to_b;
    } else {
      e.b_to_a = static_cast<ResourceId>(t.resources_.size());
      t.resources_.push_back({link, true, false});
    }
    ends.push_back(e);
    const Arc arc{static_cast<std::uint32_t>(i), Cost{l.latency.us(), 1}};
    boost::add_edge(e.a, e.b, arc, g);
    boost::add_edge(e.b, e.a, arc, g);
  }

  if (t.desktops_.empty()) throw TopologyError("", "the topology has no desktops");
  if (t.servers_.empty()) throw TopologyError("", "the topology has no servers");

  // Routes: one Dijkstra per server, then a deterministic walk from each desktop back to it.
  const std::size_t n_desktops = t.desktops_.size();
  t.routes_.resize(n_desktops * t.servers_.size() * 2);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> hop_spans(t.routes_.size());  // (offset, count)
  std::vector<std::pair<std::uint32_t, bool>> steps;                                 // link, crossed a -> b
  std::vector<Cost> dist(boost::num_vertices(g));
  const auto index = boost::get(boost::vertex_index, g);
  for (std::uint32_t s = 0; s < t.servers_.size(); ++s) {
    const Vertex root = server_vertex[s];
    const ForwardingArcs usable{&g, &forwards, root};
    const boost::filtered_graph<Graph, ForwardingArcs> fg(g, usable);
    boost::dijkstra_shortest_paths(fg, root,
                                   boost::weight_map(boost::get(&Arc::cost, g))
                                       .distance_map(boost::make_iterator_property_map(dist.begin(), index))
                                       .distance_compare(std::less<Cost>())
                                       .distance_combine(CombineCost{})
                                       .distance_inf(kInfinite)
                                       .distance_zero(Cost{}));

    // Next hop toward the root from each vertex: the first-declared link whose far end is a usable
    // arc source on a shortest route. Worked out once per vertex (a star's switch has many links).
    constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
    std::vector<std::uint32_t> next_link(boost::num_vertices(g), kNone);
    std::vector<Vertex> next_vertex(boost::num_vertices(g));
    const auto next_hop = [&](Vertex v) {
      if (next_link[v] == kNone) {
        for (const ArcDesc& e : boost::make_iterator_range(boost::out_edges(v, g))) {
          const Vertex u = boost::target(e, g);
          const Arc& arc = g[e];
          if (!(u == root || forwards[u]) || dist[u] == kInfinite) continue;  // as ForwardingArcs
          if (CombineCost{}(dist[u], arc.cost) != dist[v] || arc.link >= next_link[v]) continue;
          next_link[v] = arc.link;
          next_vertex[v] = u;
        }
        assert(next_link[v] != kNone && "a reached vertex has a shortest-path predecessor");
      }
      return std::pair{next_link[v], next_vertex[v]};
    };

    for (std::uint32_t d = 0; d < n_desktops; ++d) {
      Vertex v = desktop_vertex[d];
      if (dist[v] == kInfinite) {
        throw TopologyError("", fmt::format("desktop {} cannot reach server {} (routes pass only through "
                                            "switches and routers)",
                                            t.desktop_name(d), t.server_name(s)));
      }
      Route to_server;
      to_server.bottleneck = Bandwidth::bits_per_second(std::numeric_limits<double>::infinity());
      steps.clear();
      const auto up_at = static_cast<std::uint32_t>(t.hops_.size());
      while (v != root) {
        const auto [best_link, best_next] = next_hop(v);
        const LinkEnds& le = ends[best_link];
        const bool forward = le.a == v;
        steps.emplace_back(best_link, forward);
        t.hops_.push_back(forward ? le.a_to_b : le.b_to_a);
        to_server.latency += spec.links[best_link].latency;
        to_server.bottleneck = std::min(to_server.bottleneck, spec.links[best_link].bandwidth);
        v = best_next;
      }
      assert(to_server.latency.us() == dist[desktop_vertex[d]].latency_us);
      assert(t.hops_.size() - up_at == dist[desktop_vertex[d]].hops);

      Route to_desktop = to_server;
      const auto down_at = static_cast<std::uint32_t>(t.hops_.size());
      for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
        const LinkEnds& le = ends[it->first];
        t.hops_.push_back(it->second ? le.b_to_a : le.a_to_b);
      }
      // Offsets for now (hops_ still grows); made pointers once it is complete.
      const std::size_t up = t.route_slot(d, s, Direction::kToServer);
      const std::size_t down = t.route_slot(d, s, Direction::kToDesktop);
      t.routes_[up] = std::move(to_server);
      t.routes_[down] = std::move(to_desktop);
      hop_spans[up] = {up_at, down_at - up_at};
      hop_spans[down] = {down_at, static_cast<std::uint32_t>(t.hops_.size()) - down_at};
    }
  }
  t.hops_.shrink_to_fit();
  for (std::size_t i = 0; i < t.routes_.size(); ++i)
    t.routes_[i].resources = RouteHops(t.hops_.data() + hop_spans[i].first, hop_spans[i].second);
  return t;
}

std::size_t Topology::route_slot(std::uint32_t desktop, std::uint32_t server, Direction dir) const {
  return (static_cast<std::size_t>(desktop) * servers_.size() + server) * 2 +
         (dir == Direction::kToServer ? 0 : 1);
}

const Route& Topology::route(std::uint32_t desktop, std::uint32_t server, Direction dir) const& {
  assert(desktop < desktops_.size() && server < servers_.size());
  return routes_[route_slot(desktop, server, dir)];
}

std::vector<Bandwidth> Topology::capacities() const {
  std::vector<Bandwidth> out;
  out.reserve(resources_.size());
  for (const ResourceSlot& r : resources_) out.push_back(links_[r.link].bandwidth);
  return out;
}

Topology::ResourceInfo Topology::resource(ResourceId id) const {
  assert(id < resources_.size());
  const ResourceSlot& r = resources_[id];
  const LinkInfo& l = links_[r.link];
  const std::string& a = nodes_[l.a];
  const std::string& b = nodes_[l.b];
  return {a + "-" + b, r.b_to_a ? b : a, r.b_to_a ? a : b, l.bandwidth, r.half_duplex};
}

const std::string& Topology::desktop_name(std::uint32_t desktop) const {
  assert(desktop < desktops_.size());
  return nodes_[desktops_[desktop]];
}

const std::string& Topology::server_name(std::uint32_t server) const {
  assert(server < servers_.size());
  return nodes_[servers_[server]];
}

std::uint32_t Topology::desktop_index(std::string_view name) const {
  const auto found = find_by_name(nodes_, desktops_, desktops_by_name_, name);
  if (!found) throw TopologyError("", fmt::format("no desktop named '{}'", name));
  return *found;
}

std::optional<std::uint32_t> Topology::find_desktop(std::string_view name) const {
  return find_by_name(nodes_, desktops_, desktops_by_name_, name);
}

std::uint32_t Topology::server_index(std::string_view name) const {
  const auto found = find_by_name(nodes_, servers_, servers_by_name_, name);
  if (!found) throw TopologyError("", fmt::format("no server named '{}'", name));
  return *found;
}

}  // namespace jettison::sim::net
