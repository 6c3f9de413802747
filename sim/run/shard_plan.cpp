#include "sim/run/shard_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace jettison::sim {
namespace {

// The first network resource on the routes of two desktops, described; empty when there is none.
std::string shared_resource(const Scenario& s) {
  const net::Topology& t = *s.network.graph;
  std::vector<std::int64_t> user(t.resources(), -1);
  for (std::uint32_t d = 0; d < s.desktops.size(); ++d)
    for (std::uint32_t v = 0; v < t.server_count(); ++v)
      for (const net::Direction dir : {net::Direction::kToServer, net::Direction::kToDesktop})
        for (const net::ResourceId r : t.route(d, v, dir).resources) {
          if (user[r] >= 0 && user[r] != d) {
            const auto& info = t.resource(r);
            return fmt::format("link {} ({} -> {}, {} topology) is shared by desktops {} and {}", info.link,
                               info.from, info.to, s.network.topology,
                               s.desktops[static_cast<std::size_t>(user[r])].id, s.desktops[d].id);
          }
          user[r] = d;
        }
  return {};
}

std::string server_reason(const Scenario& s) {
  const ServersSpec& sv = s.servers;
  if (sv.power.model != ServerPowerSpec::Model::kPerVm)
    return "the server's draw is shared among the VMs it hosts (server.power.model is not per-vm)";
  if (sv.placement != Placement::kFirstFit && sv.list.size() > 1)
    return "placement depends on the other VMs (server.placement: least-loaded with several servers)";
  // The most a VM ever holds: its memory plus partial migration's metadata.
  Bytes all;
  for (const DesktopSpec& d : s.desktops) all += d.vm_memory() + s.migration.partial.metadata;
  if (all > sv.list.front().memory)
    return fmt::format(
        "server {} may fill up ({} bytes for all VMs at once, {} bytes of room), so admission depends on "
        "the other VMs",
        sv.list.front().id, all.count(), sv.list.front().memory.count());
  return {};
}

}  // namespace

ShardPlan plan_shards(const Scenario& s, unsigned wanted) {
  ShardPlan plan;
  plan.serial_reason = server_reason(s);
  if (plan.serial_reason.empty()) plan.serial_reason = shared_resource(s);
  plan.shardable = plan.serial_reason.empty();
  if (plan.shardable) {
    const auto desktops = static_cast<unsigned>(std::max<std::size_t>(1, s.desktops.size()));
    plan.shards = std::clamp(wanted, 1U, desktops);
  }
  if (plan.shards > 1) {
    const auto n = static_cast<std::uint32_t>(s.desktops.size());
    const auto key = [](std::uint32_t i) { return std::uint64_t{i} * 0x9E3779B97F4A7C15ULL; };  // mod 2^64
    std::vector<std::uint32_t> order(n);
    for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return key(a) < key(b); });
    plan.shard_of_desktop.resize(n);
    for (std::uint32_t rank = 0; rank < n; ++rank)
      plan.shard_of_desktop[order[rank]] = static_cast<std::uint32_t>(std::uint64_t{rank} * plan.shards / n);
  }
  return plan;
}

}  // namespace jettison::sim
