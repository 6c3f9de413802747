#include "sim/scenario/network_loader.hpp"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

#include "sim/network/sharing_solver.hpp"
#include "sim/network/topology_generators.hpp"

namespace jettison::sim {
namespace {

// bandwidth, latency and duplex of a link entry (the caller checks the keys).
net::LinkParams link_params(const YamlNode& n) {
  net::LinkParams p;
  p.bandwidth = n.at("bandwidth").bandwidth();
  p.latency = n.at("latency").duration();
  if (auto d = n.find("duplex")) {
    const std::string v = d->text();
    if (v == "full")
      p.duplex = net::Duplex::kFull;
    else if (v == "half")
      p.duplex = net::Duplex::kHalf;
    else
      d->fail(fmt::format("'{}' is not one of: full, half", v));
  }
  p.origin = n.origin();
  return p;
}

const std::initializer_list<std::string_view> kLinkKeys = {"bandwidth", "latency", "duplex"};

net::LinkParams read_link_params(const YamlNode& n) {
  n.expect_keys(kLinkKeys);
  return link_params(n);
}

net::NodeKind read_kind(const YamlNode& n) {
  const std::string v = n.text();
  if (v == "switch") return net::NodeKind::kSwitch;
  if (v == "router") return net::NodeKind::kRouter;
  if (v == "desktop" || v == "server") {
    n.fail(fmt::format("{}s are nodes already (named by their ids); list only switches and routers", v));
  }
  n.fail(fmt::format("'{}' is not one of: switch, router", v));
}

// Keys that only some topologies take.
void allow_only(const YamlNode& n, const std::string& topology,
                std::initializer_list<std::string_view> keys) {
  for (std::string_view k :
       {"uplink", "desktops_per_switch", "access_uplink", "server_link", "nodes", "links"}) {
    if (!n.has(k)) continue;
    bool ok = false;
    for (std::string_view a : keys) ok = ok || a == k;
    if (!ok) n.at(k).fail(fmt::format("does not apply to the '{}' topology", topology));
  }
}

// Where each desktop, server and generated switch of `spec` was declared, for the topology's errors
// (a desktop id equal to a server's name is reported with both origins): listed desktops and servers
// at their `id`, the others at the key that named them (`idle_trace` for the desktops it lists,
// `server.count` or `server` for s0, s1, ..., `network.topology` for a generated switch).
void set_node_origins(const YamlNode& top, const Scenario& s, net::TopologySpec& spec) {
  std::vector<std::string> desktops, servers;
  const auto list_origins = [](const std::optional<YamlNode>& parent, std::vector<std::string>& out) {
    if (!parent) return false;
    const auto list = parent->find("list");
    if (!list || !list->is_sequence()) return false;
    for (const YamlNode& e : list->items()) out.push_back(e.at("id").origin());
    return true;
  };
  if (!list_origins(top.find("desktops"), desktops)) {
    const auto idle = top.find("idle_trace");
    desktops.assign(s.desktops.size(), idle ? idle->origin() : std::string{});
  }
  if (!list_origins(top.find("server"), servers)) {
    std::string origin;
    if (const auto server = top.find("server")) {
      const auto count = server->find("count");
      origin = count ? count->origin() : server->origin();
    }
    servers.assign(s.servers.list.size(), origin);
  }
  std::string generated;
  if (const auto net = top.find("network")) {
    if (const auto kind = net->find("topology")) generated = kind->origin();
  }
  std::size_t desktop = 0, server = 0;
  for (net::NodeSpec& n : spec.nodes) {
    if (!n.origin.empty()) continue;
    if (n.kind == net::NodeKind::kDesktop && desktop < desktops.size()) {
      n.origin = desktops[desktop++];
    } else if (n.kind == net::NodeKind::kServer && server < servers.size()) {
      n.origin = servers[server++];
    } else if (n.kind == net::NodeKind::kSwitch || n.kind == net::NodeKind::kRouter) {
      n.origin = generated;
    }
  }
}

}  // namespace

void check_network_keys(const YamlNode& n) {
  n.expect_keys({"topology", "solver", "uplink", "desktops_per_switch", "access_uplink", "server_link",
                 "nodes", "links"});
  for (std::string_view link : {"uplink", "access_uplink", "server_link"}) {
    if (auto l = n.find(link)) l->attempt([&] { l->expect_keys(kLinkKeys); });
  }
  if (auto nodes = n.find("nodes"); nodes && nodes->is_sequence()) {
    for (const YamlNode& e : nodes->items()) e.attempt([&] { e.expect_keys({"name", "kind"}); });
  }
  if (auto links = n.find("links"); links && links->is_sequence()) {
    for (const YamlNode& e : links->items())
      e.attempt([&] { e.expect_keys({"a", "b", "bandwidth", "latency", "duplex"}); });
  }
}

void read_network(const YamlNode& top, Scenario& s) {
  const std::optional<YamlNode> n = top.find("network");
  std::vector<std::string> desktops;
  std::vector<net::LinkParams> desktop_links;
  for (const DesktopSpec& d : s.desktops) {
    desktops.push_back(d.id);
    desktop_links.push_back({d.link().bandwidth, d.link().latency, net::Duplex::kFull, ""});
  }
  std::vector<std::string> servers;
  for (const ServerSpec& sv : s.servers.list) servers.push_back(sv.id);

  NetworkSpec& out = s.network;
  net::TopologySpec spec;
  if (!n) {
    out.topology = "dedicated";
    spec = net::dedicated(desktops, desktop_links, servers);
  } else {
    check_network_keys(*n);
    if (auto solver = n->find("solver")) {
      out.solver = solver->text();
      if (!net::sharing_solvers().find(out.solver)) {
        solver->fail(fmt::format("unknown sharing solver '{}'; choose one of: {}", out.solver,
                                 net::sharing_solvers().names()));
      }
    }
    const YamlNode kind = n->at("topology");
    out.topology = kind.text();
    if (out.topology == "dedicated") {
      allow_only(*n, out.topology, {});
      spec = net::dedicated(desktops, desktop_links, servers);
    } else if (out.topology == "star") {
      allow_only(*n, out.topology, {"uplink"});
      spec = net::star(desktops, desktop_links, servers, read_link_params(n->at("uplink")));
    } else if (out.topology == "two-tier") {
      allow_only(*n, out.topology, {"desktops_per_switch", "access_uplink", "server_link"});
      const YamlNode per = n->at("desktops_per_switch");
      const std::uint64_t k = per.unsigned_int();
      if (k == 0 || k > 100000) per.fail("must be between 1 and 100000");
      spec = net::two_tier(desktops, desktop_links, static_cast<std::uint32_t>(k),
                           read_link_params(n->at("access_uplink")), servers,
                           read_link_params(n->at("server_link")));
    } else if (out.topology == "custom") {
      allow_only(*n, out.topology, {"nodes", "links"});
      for (const std::string& d : desktops) spec.nodes.push_back({d, net::NodeKind::kDesktop});
      for (const std::string& sv : servers) spec.nodes.push_back({sv, net::NodeKind::kServer});
      if (auto nodes = n->find("nodes")) {
        for (const YamlNode& e : nodes->items()) {
          spec.nodes.push_back({e.at("name").text(), read_kind(e.at("kind")), e.at("name").origin()});
        }
      }
      for (const YamlNode& e : n->at("links").items()) {
        const net::LinkParams p = link_params(e);
        spec.links.push_back(
            {e.at("a").text(), e.at("b").text(), p.bandwidth, p.latency, p.duplex, p.origin});
      }
    } else {
      kind.fail(fmt::format("unknown topology '{}'; choose one of: dedicated, star, two-tier, custom",
                            out.topology));
    }
  }
  set_node_origins(top, s, spec);
  out.graph = std::make_shared<const net::Topology>(net::Topology::build(spec));
}

}  // namespace jettison::sim
