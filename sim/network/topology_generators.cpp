#include "sim/network/topology_generators.hpp"

#include <fmt/format.h>

#include "sim/network/topology.hpp"

namespace jettison::sim::net {
namespace {

void check_one_link_per_desktop(const char* generator, const std::vector<std::string>& desktops,
                                const std::vector<LinkParams>& desktop_links) {
  if (desktop_links.size() != desktops.size()) {
    throw TopologyError("", fmt::format("{}: {} desktops but {} desktop links (one per desktop)", generator,
                                        desktops.size(), desktop_links.size()));
  }
}

void add_nodes(TopologySpec& spec, const std::vector<std::string>& names, NodeKind kind) {
  for (const std::string& n : names) spec.nodes.push_back({n, kind});
}

void add_link(TopologySpec& spec, std::string a, std::string b, const LinkParams& p) {
  spec.links.push_back({std::move(a), std::move(b), p.bandwidth, p.latency, p.duplex, p.origin});
}

}  // namespace

TopologySpec star(const std::vector<std::string>& desktops, const std::vector<LinkParams>& desktop_links,
                  const std::vector<std::string>& servers, const LinkParams& uplink) {
  check_one_link_per_desktop("star", desktops, desktop_links);
  TopologySpec spec;
  add_nodes(spec, desktops, NodeKind::kDesktop);
  spec.nodes.push_back({"sw0", NodeKind::kSwitch});
  add_nodes(spec, servers, NodeKind::kServer);
  for (std::size_t i = 0; i < desktops.size(); ++i) add_link(spec, desktops[i], "sw0", desktop_links[i]);
  for (const std::string& s : servers) add_link(spec, "sw0", s, uplink);
  return spec;
}

TopologySpec two_tier(const std::vector<std::string>& desktops, const std::vector<LinkParams>& desktop_links,
                      std::uint32_t desktops_per_access_switch, const LinkParams& access_uplink,
                      const std::vector<std::string>& servers, const LinkParams& server_link) {
  check_one_link_per_desktop("two_tier", desktops, desktop_links);
  if (desktops_per_access_switch == 0) {
    throw TopologyError("", "two_tier: desktops per access switch must be at least 1");
  }
  const std::size_t n_access =
      (desktops.size() + desktops_per_access_switch - 1) / desktops_per_access_switch;
  const auto access_name = [](std::size_t k) { return fmt::format("acc{}", k); };

  TopologySpec spec;
  add_nodes(spec, desktops, NodeKind::kDesktop);
  for (std::size_t k = 0; k < n_access; ++k) spec.nodes.push_back({access_name(k), NodeKind::kSwitch});
  spec.nodes.push_back({"core", NodeKind::kSwitch});
  add_nodes(spec, servers, NodeKind::kServer);
  for (std::size_t i = 0; i < desktops.size(); ++i) {
    add_link(spec, desktops[i], access_name(i / desktops_per_access_switch), desktop_links[i]);
  }
  for (std::size_t k = 0; k < n_access; ++k) add_link(spec, access_name(k), "core", access_uplink);
  for (const std::string& s : servers) add_link(spec, "core", s, server_link);
  return spec;
}

TopologySpec dedicated(const std::vector<std::string>& desktops, const std::vector<LinkParams>& desktop_links,
                       const std::vector<std::string>& servers) {
  check_one_link_per_desktop("dedicated", desktops, desktop_links);
  TopologySpec spec;
  add_nodes(spec, desktops, NodeKind::kDesktop);
  add_nodes(spec, servers, NodeKind::kServer);
  for (std::size_t i = 0; i < desktops.size(); ++i) {
    for (const std::string& s : servers) add_link(spec, desktops[i], s, desktop_links[i]);
  }
  return spec;
}

}  // namespace jettison::sim::net
