// star, two_tier and dedicated: the specs they write and the routes Topology::build finds in them.
// Resource ids follow link order (all links full duplex: link i gives 2i one way, 2i+1 the other).
#include "sim/network/topology_generators.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "sim/network/topology.hpp"

namespace jettison::sim::net {
namespace {

constexpr double kMbps = 1e6;
constexpr double kGbps = 1e9;

LinkParams params(double bps, std::int64_t ms) {
  return {Bandwidth::bits_per_second(bps), Duration::millis(ms), Duplex::kFull, ""};
}

using Ids = std::vector<ResourceId>;

// Links in order: d0-sw0 (0, 1), d1-sw0 (2, 3), d2-sw0 (4, 5), sw0-s0 (6, 7), sw0-s1 (8, 9).
TEST(StarTopology, RoutesShareTheUplink) {
  const TopologySpec spec =
      star({"d0", "d1", "d2"}, {params(100 * kMbps, 1), params(kGbps, 2), params(100 * kMbps, 3)},
           {"s0", "s1"}, params(400 * kMbps, 5));
  ASSERT_EQ(spec.nodes.size(), 6u);  // 3 desktops, sw0, 2 servers
  EXPECT_EQ(spec.nodes[3].name, "sw0");
  EXPECT_EQ(spec.nodes[3].kind, NodeKind::kSwitch);
  ASSERT_EQ(spec.links.size(), 5u);

  const Topology t = Topology::build(spec);
  EXPECT_EQ(t.resources(), 10u);
  // d1 -> s1: latency 2 + 5 = 7 ms, 2 hops, bottleneck min(1 Gb/s, 400 Mb/s) = 400 Mb/s.
  const Route& r11 = t.route(1, 1, Direction::kToServer);
  EXPECT_EQ(r11.latency, Duration::millis(7));
  EXPECT_EQ(r11.hops(), 2u);
  EXPECT_EQ(r11.bottleneck.bits_per_second(), 400 * kMbps);
  EXPECT_EQ(r11.resources, (Ids{2, 8}));
  // d0 -> s0: 1 + 5 = 6 ms, bottleneck min(100 Mb/s, 400 Mb/s) = 100 Mb/s.
  EXPECT_EQ(t.route(0, 0, Direction::kToServer).latency, Duration::millis(6));
  EXPECT_EQ(t.route(0, 0, Direction::kToServer).bottleneck.bits_per_second(), 100 * kMbps);
  // d2 <- s1: s1->sw0 = 9, sw0->d2 = 5.
  EXPECT_EQ(t.route(2, 1, Direction::kToDesktop).resources, (Ids{9, 5}));
  // Every desktop's route to s0 ends on the shared uplink sw0->s0 = 6.
  for (std::uint32_t d = 0; d < 3; ++d) EXPECT_EQ(t.route(d, 0, Direction::kToServer).resources.back(), 6u);
}

// 5 desktops, 2 per access switch: acc0 = {d0, d1}, acc1 = {d2, d3}, acc2 = {d4}.
// Links: d0..d4 to their access switch (resources 0..9), acc0-core (10, 11), acc1-core (12, 13),
// acc2-core (14, 15), core-s0 (16, 17), core-s1 (18, 19).
TEST(TwoTierTopology, LatencyIsDesktopLinkPlusAccessUplinkPlusServerLink) {
  std::vector<LinkParams> desktop_links(5, params(kGbps, 1));
  desktop_links[4] = params(100 * kMbps, 3);
  const TopologySpec spec = two_tier({"d0", "d1", "d2", "d3", "d4"}, desktop_links, 2, params(10 * kGbps, 2),
                                     {"s0", "s1"}, params(10 * kGbps, 4));
  std::vector<std::string> names;
  for (const NodeSpec& n : spec.nodes) names.push_back(n.name);
  EXPECT_EQ(names, (std::vector<std::string>{"d0", "d1", "d2", "d3", "d4", "acc0", "acc1", "acc2", "core",
                                             "s0", "s1"}));
  ASSERT_EQ(spec.links.size(), 10u);  // 5 desktop links, 3 access uplinks, 2 server links
  EXPECT_EQ(spec.links[4].b, "acc2");

  const Topology t = Topology::build(spec);
  EXPECT_EQ(t.resources(), 20u);
  // d0 -> s0: 1 + 2 + 4 = 7 ms, 3 hops, bottleneck min(1, 10, 10) Gb/s = 1 Gb/s.
  const Route& r00 = t.route(0, 0, Direction::kToServer);
  EXPECT_EQ(r00.latency, Duration::millis(7));
  EXPECT_EQ(r00.hops(), 3u);
  EXPECT_EQ(r00.bottleneck.bits_per_second(), kGbps);
  EXPECT_EQ(r00.resources, (Ids{0, 10, 16}));
  // d4 -> s1: 3 + 2 + 4 = 9 ms, bottleneck 100 Mb/s.
  const Route& r41 = t.route(4, 1, Direction::kToServer);
  EXPECT_EQ(r41.latency, Duration::millis(9));
  EXPECT_EQ(r41.bottleneck.bits_per_second(), 100 * kMbps);
  EXPECT_EQ(r41.resources, (Ids{8, 14, 18}));
  // d3 <- s1: s1->core = 19, core->acc1 = 13, acc1->d3 = link 3 reversed = 7.
  EXPECT_EQ(t.route(3, 1, Direction::kToDesktop).resources, (Ids{19, 13, 7}));
  // d0 and d1 share acc0's uplink; d2 does not.
  EXPECT_EQ(t.route(1, 0, Direction::kToServer).resources[1], 10u);
  EXPECT_EQ(t.route(2, 0, Direction::kToServer).resources[1], 12u);
}

// Links d0-s0 (0, 1), d0-s1 (2, 3), d1-s0 (4, 5), d1-s1 (6, 7): one hop each, nothing shared.
TEST(DedicatedTopology, EveryDesktopHasItsOwnLinkToEveryServer) {
  const TopologySpec spec = dedicated({"d0", "d1"}, {params(kGbps, 1), params(100 * kMbps, 4)}, {"s0", "s1"});
  EXPECT_EQ(spec.nodes.size(), 4u);
  ASSERT_EQ(spec.links.size(), 4u);
  const Topology t = Topology::build(spec);
  const Route& r10 = t.route(1, 0, Direction::kToServer);
  EXPECT_EQ(r10.resources, (Ids{4}));
  EXPECT_EQ(r10.hops(), 1u);
  EXPECT_EQ(r10.latency, Duration::millis(4));
  EXPECT_EQ(r10.bottleneck.bits_per_second(), 100 * kMbps);
  EXPECT_EQ(t.route(1, 0, Direction::kToDesktop).resources, (Ids{5}));
  EXPECT_EQ(t.route(0, 1, Direction::kToServer).resources, (Ids{2}));

  std::set<ResourceId> used;  // every route uses a resource no other route uses
  for (std::uint32_t d = 0; d < 2; ++d) {
    for (std::uint32_t s = 0; s < 2; ++s) {
      for (Direction dir : {Direction::kToServer, Direction::kToDesktop}) {
        for (ResourceId r : t.route(d, s, dir).resources) EXPECT_TRUE(used.insert(r).second) << r;
      }
    }
  }
  EXPECT_EQ(used.size(), 8u);
}

// 2000 desktops on one switch, 3 servers: desktop i's link is link i (resources 2i, 2i+1) and the
// uplink to server s is link 2000 + s (resources 4000 + 2s one way, 4001 + 2s the other).
TEST(StarTopology, ManyDesktops) {
  constexpr std::uint32_t kDesktops = 2000;
  std::vector<std::string> names;
  for (std::uint32_t i = 0; i < kDesktops; ++i) names.push_back(fmt::format("d{}", i));
  const Topology t = Topology::build(star(names, std::vector<LinkParams>(kDesktops, params(kGbps, 1)),
                                          {"s0", "s1", "s2"}, params(10 * kGbps, 1)));
  for (std::uint32_t d = 0; d < kDesktops; ++d) {
    for (std::uint32_t s = 0; s < 3; ++s) {
      ASSERT_EQ(t.route(d, s, Direction::kToServer).resources, (Ids{2 * d, 4000 + 2 * s}));
      ASSERT_EQ(t.route(d, s, Direction::kToDesktop).resources, (Ids{4001 + 2 * s, 2 * d + 1}));
    }
  }
}

TEST(TopologyGenerators, OriginIsCopiedIntoTheLinks) {
  LinkParams uplink = params(kGbps, 1);
  uplink.origin = "scenario.yaml:40";
  uplink.duplex = Duplex::kHalf;
  const TopologySpec spec = star({"d0"}, {params(kGbps, 1)}, {"s0"}, uplink);
  EXPECT_EQ(spec.links[1].origin, "scenario.yaml:40");
  EXPECT_EQ(spec.links[1].duplex, Duplex::kHalf);
  EXPECT_EQ(spec.links[0].origin, "");
}

TEST(TopologyGenerators, OneLinkPerDesktopAndAtLeastOneDesktopPerSwitch) {
  try {
    (void)star({"d0", "d1"}, {params(kGbps, 1)}, {"s0"}, params(kGbps, 1));
    FAIL() << "no error";
  } catch (const TopologyError& e) {
    EXPECT_STREQ(e.what(), "star: 2 desktops but 1 desktop links (one per desktop)");
  }
  EXPECT_THROW((void)dedicated({"d0"}, {}, {"s0"}), TopologyError);
  try {
    (void)two_tier({"d0"}, {params(kGbps, 1)}, 0, params(kGbps, 1), {"s0"}, params(kGbps, 1));
    FAIL() << "no error";
  } catch (const TopologyError& e) {
    EXPECT_STREQ(e.what(), "two_tier: desktops per access switch must be at least 1");
  }
}

}  // namespace
}  // namespace jettison::sim::net
