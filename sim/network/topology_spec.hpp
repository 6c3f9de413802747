// What a network looks like on paper: named nodes and the links between them, as the scenario
// loader (or a generator in topology_generators.hpp) writes it. Topology::build checks and compiles it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/quantity.hpp"
#include "common/time.hpp"

namespace jettison::sim::net {

// Desktops and servers are the ends of routes; switches and routers only forward (a route never
// passes through a desktop or a server).
enum class NodeKind { kDesktop, kSwitch, kRouter, kServer };

// A full-duplex link carries each direction separately at full bandwidth; a half-duplex link's
// bandwidth is shared by both directions.
enum class Duplex { kFull, kHalf };

struct NodeSpec {
  std::string name;
  NodeKind kind = NodeKind::kSwitch;
  // Where the node was declared, for errors: "file:line: key" of the key that declared or named it
  // (a generated switch: the topology's); may be empty.
  std::string origin = {};
};

struct LinkSpec {
  std::string a, b;
  Bandwidth bandwidth;
  Duration latency;
  Duplex duplex = Duplex::kFull;
  std::string origin;  // "file:line" of the link in the scenario, for errors; may be empty
};

struct TopologySpec {
  std::vector<NodeSpec> nodes;
  std::vector<LinkSpec> links;
};

constexpr std::string_view name_of(NodeKind k) {
  switch (k) {
    case NodeKind::kDesktop:
      return "desktop";
    case NodeKind::kSwitch:
      return "switch";
    case NodeKind::kRouter:
      return "router";
    case NodeKind::kServer:
      return "server";
  }
  return "?";
}

}  // namespace jettison::sim::net
