// Topology::build: resources from links, routes by (latency, hops) with a fixed tie-break, and every
// error with its message. Bandwidths in bit/s, latencies in ms; resource ids follow link order, a
// full-duplex link i (when all links before it are full duplex) giving 2i (a->b) and 2i+1 (b->a).
#include "sim/network/topology.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace jettison::sim::net {
namespace {

constexpr double kMbps = 1e6;
constexpr double kGbps = 1e9;

NodeSpec desktop(std::string n) { return {std::move(n), NodeKind::kDesktop}; }
NodeSpec server(std::string n) { return {std::move(n), NodeKind::kServer}; }
NodeSpec sw(std::string n) { return {std::move(n), NodeKind::kSwitch}; }
NodeSpec router(std::string n) { return {std::move(n), NodeKind::kRouter}; }

LinkSpec link(std::string a, std::string b, double bps, std::int64_t ms, Duplex duplex = Duplex::kFull,
              std::string origin = "") {
  return {std::move(a),         std::move(b), Bandwidth::bits_per_second(bps),
          Duration::millis(ms), duplex,       std::move(origin)};
}

using Ids = std::vector<ResourceId>;

// d0 - r1 - s0 directly costs 1 + 10 = 11 ms in 2 hops; d0 - r1 - r2 - r3 - s0 costs 1 + 2 + 2 + 2 =
// 7 ms in 4 hops: latency comes first, so the 4-hop route wins.
TEST(Topology, LowestLatencyWinsOverFewerHops) {
  const TopologySpec spec{{desktop("d0"), router("r1"), router("r2"), router("r3"), server("s0")},
                          {link("d0", "r1", kGbps, 1),         // link 0: resources 0, 1
                           link("r1", "s0", 100 * kMbps, 10),  // link 1: 2, 3
                           link("r1", "r2", kGbps, 2),         // link 2: 4, 5
                           link("r2", "r3", kGbps, 2),         // link 3: 6, 7
                           link("r3", "s0", kGbps, 2)}};       // link 4: 8, 9
  const Topology t = Topology::build(spec);
  ASSERT_EQ(t.resources(), 10u);
  const Route& up = t.route(0, 0, Direction::kToServer);
  EXPECT_EQ(up.resources, (Ids{0, 4, 6, 8}));
  EXPECT_EQ(up.latency, Duration::millis(7));
  EXPECT_EQ(up.hops(), 4u);
  EXPECT_EQ(up.bottleneck.bits_per_second(), kGbps);  // the slow 100 Mb/s link is not on the route
  const Route& down = t.route(0, 0, Direction::kToDesktop);
  EXPECT_EQ(down.resources, (Ids{9, 7, 5, 1}));  // the same links, reversed, other direction
  EXPECT_EQ(down.latency, Duration::millis(7));
  EXPECT_EQ(down.hops(), 4u);
}

// Both routes take 5 ms: d0-sw2-sw3-s0 (1 + 2 + 2, 3 hops, declared first) and d0-sw1-s0 (1 + 4,
// 2 hops). Fewer hops wins even though the other route's links come first in the spec.
TEST(Topology, EqualLatencyPrefersFewerHops) {
  const TopologySpec spec{{desktop("d0"), sw("sw1"), sw("sw2"), sw("sw3"), server("s0")},
                          {link("d0", "sw2", kGbps, 1),    // 0, 1
                           link("sw2", "sw3", kGbps, 2),   // 2, 3
                           link("sw3", "s0", kGbps, 2),    // 4, 5
                           link("d0", "sw1", kGbps, 1),    // 6, 7
                           link("sw1", "s0", kGbps, 4)}};  // 8, 9
  const Topology t = Topology::build(spec);
  const Route& r = t.route(0, 0, Direction::kToServer);
  EXPECT_EQ(r.resources, (Ids{6, 8}));
  EXPECT_EQ(r.latency, Duration::millis(5));
  EXPECT_EQ(r.hops(), 2u);
}

// d0-a-s0 and d0-b-s0 both take 2 ms in 2 hops. Walking from d0, the first-declared link on a
// shortest route is d0-b (link 1, before d0-a, link 3), then b-s0 (link 2).
TEST(Topology, FullTieTakesTheFirstDeclaredLinkFromTheDesktop) {
  const TopologySpec spec{{desktop("d0"), sw("a"), sw("b"), server("s0")},
                          {link("a", "s0", kGbps, 1),    // 0, 1
                           link("d0", "b", kGbps, 1),    // 2, 3
                           link("b", "s0", kGbps, 1),    // 4, 5
                           link("d0", "a", kGbps, 1)}};  // 6, 7
  const Topology t = Topology::build(spec);
  EXPECT_EQ(t.route(0, 0, Direction::kToServer).resources, (Ids{2, 4}));
  EXPECT_EQ(t.route(0, 0, Direction::kToDesktop).resources, (Ids{5, 3}));
}

// Parallel links are allowed: the cheaper one carries the route; at equal cost the first declared.
TEST(Topology, ParallelLinksTheCheaperWins) {
  const TopologySpec slower_first{{desktop("d0"), server("s0")},
                                  {link("d0", "s0", kGbps, 3),          // 0, 1
                                   link("d0", "s0", 100 * kMbps, 2)}};  // 2, 3: 2 ms < 3 ms
  const Topology t = Topology::build(slower_first);
  const Route& r = t.route(0, 0, Direction::kToServer);
  EXPECT_EQ(r.resources, (Ids{2}));
  EXPECT_EQ(r.bottleneck.bits_per_second(), 100 * kMbps);
  EXPECT_EQ(r.latency, Duration::millis(2));

  const TopologySpec equal{{desktop("d0"), server("s0")},
                           {link("d0", "s0", kGbps, 2), link("d0", "s0", 100 * kMbps, 2)}};
  const Topology te = Topology::build(equal);
  EXPECT_EQ(te.route(0, 0, Direction::kToServer).resources, (Ids{0}));
}

// d0 -(half)- sw -(full, declared s0-sw)- s0. Resources: link 0 half duplex -> 0 (both directions);
// link 1 full duplex -> 1 (s0->sw), 2 (sw->s0). Up: d0->sw = 0, sw->s0 = 2. Down: s0->sw = 1, sw->d0 = 0.
TEST(Topology, HalfDuplexLinkIsOneResourceForBothDirections) {
  const TopologySpec spec{{desktop("d0"), sw("sw"), server("s0")},
                          {link("d0", "sw", 100 * kMbps, 1, Duplex::kHalf), link("s0", "sw", kGbps, 1)}};
  const Topology t = Topology::build(spec);
  ASSERT_EQ(t.resources(), 3u);
  EXPECT_EQ(t.route(0, 0, Direction::kToServer).resources, (Ids{0, 2}));
  EXPECT_EQ(t.route(0, 0, Direction::kToDesktop).resources, (Ids{1, 0}));
  EXPECT_EQ(t.route(0, 0, Direction::kToDesktop).bottleneck.bits_per_second(), 100 * kMbps);

  const auto& half = t.resource(0);
  EXPECT_EQ(half.link, "d0-sw");
  EXPECT_EQ(half.from, "d0");
  EXPECT_EQ(half.to, "sw");
  EXPECT_TRUE(half.half_duplex);
  EXPECT_EQ(half.capacity.bits_per_second(), 100 * kMbps);
  EXPECT_EQ(t.resource(1).link, "s0-sw");
  EXPECT_EQ(t.resource(1).from, "s0");
  EXPECT_EQ(t.resource(2).from, "sw");
  EXPECT_EQ(t.resource(2).to, "s0");
  EXPECT_FALSE(t.resource(2).half_duplex);

  const std::vector<Bandwidth> caps = t.capacities();
  ASSERT_EQ(caps.size(), 3u);
  EXPECT_EQ(caps[0].bits_per_second(), 100 * kMbps);
  EXPECT_EQ(caps[1].bits_per_second(), kGbps);
  EXPECT_EQ(caps[2].bits_per_second(), kGbps);
}

// d1 sits between d0 and s0 at 1 + 1 = 2 ms, but desktops do not forward: d0 takes d0-sw-s0 (5 + 5).
TEST(Topology, RoutesDoNotPassThroughDesktops) {
  const TopologySpec spec{{desktop("d0"), desktop("d1"), sw("sw"), server("s0")},
                          {link("d0", "d1", kGbps, 1),    // 0, 1
                           link("d1", "s0", kGbps, 1),    // 2, 3
                           link("d0", "sw", kGbps, 5),    // 4, 5
                           link("sw", "s0", kGbps, 5)}};  // 6, 7
  const Topology t = Topology::build(spec);
  EXPECT_EQ(t.route(0, 0, Direction::kToServer).resources, (Ids{4, 6}));
  EXPECT_EQ(t.route(0, 0, Direction::kToServer).latency, Duration::millis(10));
  EXPECT_EQ(t.route(1, 0, Direction::kToServer).resources, (Ids{2}));
}

// Desktops and servers are numbered in spec order, whatever nodes sit between them.
TEST(Topology, IndicesFollowSpecOrder) {
  const TopologySpec spec{{server("sB"), desktop("dX"), sw("sw"), desktop("dA"), server("sA")},
                          {link("dX", "sw", kGbps, 1), link("dA", "sw", kGbps, 2), link("sw", "sB", kGbps, 3),
                           link("sw", "sA", kGbps, 4)}};
  const Topology t = Topology::build(spec);
  EXPECT_EQ(t.desktop_count(), 2u);
  EXPECT_EQ(t.server_count(), 2u);
  EXPECT_EQ(t.desktop_index("dX"), 0u);
  EXPECT_EQ(t.desktop_index("dA"), 1u);
  EXPECT_EQ(t.server_index("sB"), 0u);
  EXPECT_EQ(t.server_index("sA"), 1u);
  EXPECT_EQ(t.desktop_name(1), "dA");
  EXPECT_EQ(t.server_name(1), "sA");
  // dA -> sA: 2 + 4 ms.
  EXPECT_EQ(t.route(1, 1, Direction::kToServer).latency, Duration::millis(6));
  EXPECT_THROW((void)t.desktop_index("sw"), TopologyError);
  EXPECT_THROW((void)t.server_index("dX"), TopologyError);
  EXPECT_EQ(t.find_desktop("dA"), std::optional<std::uint32_t>(1u));
  EXPECT_EQ(t.find_desktop("dX"), std::optional<std::uint32_t>(0u));
  EXPECT_EQ(t.find_desktop("sA"), std::nullopt);  // a server, not a desktop
  EXPECT_EQ(t.find_desktop("d"), std::nullopt);
  EXPECT_EQ(t.find_desktop("dZ"), std::nullopt);  // past every name
  // ResourceInfo is built on demand: dA-sw (declared second) gives resources 2 (dA -> sw) and 3.
  EXPECT_EQ(t.resource(3).link, "dA-sw");
  EXPECT_EQ(t.resource(3).from, "sw");
  EXPECT_EQ(t.resource(3).to, "dA");
}

// The message of the TopologyError `spec` raises ("" when none).
std::string error_of(const TopologySpec& spec) {
  try {
    (void)Topology::build(spec);
  } catch (const TopologyError& e) {
    return e.what();
  }
  return "";
}

TopologySpec one_link(LinkSpec l) {
  return {{desktop("d0"), sw("sw"), server("s0")}, {std::move(l), link("sw", "s0", kGbps, 1)}};
}

TEST(TopologyErrors, UnknownNodeNamesTheLinkAndItsOrigin) {
  EXPECT_EQ(error_of(one_link(link("d0", "sx", kGbps, 1, Duplex::kFull, "net.yaml:12"))),
            "net.yaml:12: link d0-sx: unknown node 'sx'");
  EXPECT_EQ(error_of(one_link(link("dx", "sw", kGbps, 1))), "link dx-sw: unknown node 'dx'");
  try {
    (void)Topology::build(one_link(link("d0", "sx", kGbps, 1, Duplex::kFull, "net.yaml:12")));
    FAIL() << "no error";
  } catch (const InputError& e) {  // the CLI's one kind of input error
    EXPECT_EQ(e.origin(), "net.yaml:12");
  }
}

TEST(TopologyErrors, DuplicateOrEmptyNodeName) {
  const TopologySpec dup{{desktop("d0"), server("d0")}, {}};
  EXPECT_EQ(error_of(dup),
            "node 'd0' is declared twice: as a desktop and as a server; node names (desktop ids, server ids, "
            "switches and routers) must all differ");
  const TopologySpec empty{{desktop("d0"), sw(""), server("s0")}, {}};
  EXPECT_EQ(error_of(empty), "a switch node has an empty name");
}

TEST(TopologyErrors, DuplicateNodeNamesBothOrigins) {
  // Reported at the second declaration; the first one's origin is in the message.
  const TopologySpec dup{{{"s0", NodeKind::kDesktop, "a.yaml:3: desktops.list[0].id"},
                          {"s0", NodeKind::kServer, "a.yaml:9: server.list[0].id"}},
                         {}};
  try {
    (void)Topology::build(dup);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.origin(), "a.yaml:9: server.list[0].id");
    EXPECT_EQ(std::string(e.what()),
              "a.yaml:9: server.list[0].id: node 's0' is declared twice: as a desktop (a.yaml:3: "
              "desktops.list[0].id) and as a server (a.yaml:9: server.list[0].id); node names (desktop ids, "
              "server ids, switches and routers) must all differ");
  }
  // The second without an origin: the first's is the error's.
  const TopologySpec generated{
      {{"sw0", NodeKind::kDesktop, "a.yaml:3: desktops.list[0].id"}, {"sw0", NodeKind::kSwitch, ""}}, {}};
  try {
    (void)Topology::build(generated);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.origin(), "a.yaml:3: desktops.list[0].id");
  }
}

TEST(TopologyErrors, SelfLink) {
  EXPECT_EQ(error_of(one_link(link("sw", "sw", kGbps, 1, Duplex::kFull, "net.yaml:7"))),
            "net.yaml:7: link sw-sw: connects node 'sw' to itself");
}

TEST(TopologyErrors, BandwidthNotPositive) {
  EXPECT_EQ(error_of(one_link(link("d0", "sw", 0, 1, Duplex::kFull, "net.yaml:3"))),
            "net.yaml:3: link d0-sw: bandwidth must be positive, got 0 bit/s");
  EXPECT_EQ(error_of(one_link(link("d0", "sw", -5, 1))),
            "link d0-sw: bandwidth must be positive, got -5 bit/s");
  EXPECT_EQ(error_of(one_link(link("d0", "sw", std::numeric_limits<double>::quiet_NaN(), 1))),
            "link d0-sw: bandwidth must be positive, got nan bit/s");
}

TEST(TopologyErrors, NegativeLatency) {
  LinkSpec l = link("d0", "sw", kGbps, 0);
  l.latency = Duration::micros(-1);
  EXPECT_EQ(error_of(one_link(l)), "link d0-sw: latency must not be negative, got -1 us");
}

TEST(TopologyErrors, NoDesktopsOrNoServers) {
  EXPECT_EQ(error_of({{sw("sw"), server("s0")}, {link("sw", "s0", kGbps, 1)}}),
            "the topology has no desktops");
  EXPECT_EQ(error_of({{desktop("d0"), sw("sw")}, {link("d0", "sw", kGbps, 1)}}),
            "the topology has no servers");
}

TEST(TopologyErrors, DesktopThatCannotReachAServer) {
  // s1 hangs off nothing: d07 reaches s0 but not s1.
  const TopologySpec spec{{desktop("d07"), sw("sw"), server("s0"), server("s1")},
                          {link("d07", "sw", kGbps, 1), link("sw", "s0", kGbps, 1)}};
  EXPECT_EQ(error_of(spec),
            "desktop d07 cannot reach server s1 (routes pass only through switches and routers)");
  // Only through another desktop, or through another server: no route either.
  const TopologySpec via_desktop{{desktop("d0"), desktop("d1"), server("s0")},
                                 {link("d0", "d1", kGbps, 1), link("d1", "s0", kGbps, 1)}};
  EXPECT_EQ(error_of(via_desktop),
            "desktop d0 cannot reach server s0 (routes pass only through switches and routers)");
  const TopologySpec via_server{{desktop("d0"), server("s0"), server("s1")},
                                {link("d0", "s1", kGbps, 1), link("s1", "s0", kGbps, 1)}};
  EXPECT_EQ(error_of(via_server),
            "desktop d0 cannot reach server s0 (routes pass only through switches and routers)");
}

}  // namespace
}  // namespace jettison::sim::net
