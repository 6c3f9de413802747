// sim/scenario/network_loader and server_loader: bad `network:` and `server:` input is an InputError
// naming the file, line and key (or the link), with what is wrong; good input becomes the topology,
// servers and power model the run uses.
#include <gtest/gtest.h>

#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/input/input_test_support.hpp"

namespace jettison::sim {
namespace {

using jettison::testing::CaughtInputError;
using jettison::testing::Contains;
using jettison::testing::input_error;
using jettison::testing::kTinyIdle;
using jettison::testing::kTinyLinux;
using jettison::testing::kTinyScenario;
using jettison::testing::kTinyWindows;
using jettison::testing::line_of;
using jettison::testing::replaced;
using jettison::testing::TempDir;
using jettison::testing::write_scenario;

const std::string kServer =
    "server:\n  memory: 64GiB\n  power: {model: per-vm, per_vm: 5W}\n  add_to_total: false\n";

// kTinyScenario with its `server:` section replaced by `server` and `network` added after it.
std::string with(const std::string& server, const std::string& network) {
  return replaced(kTinyScenario, kServer, server + network);
}

class NetworkInput : public ::testing::Test {
 protected:
  Scenario load(const std::string& yaml) {
    yaml_ = yaml;
    path_ = write_scenario(dir_, yaml, kTinyIdle, kTinyWindows, kTinyLinux);
    return load_scenario(path_);
  }
  CaughtInputError load_error(const std::string& yaml) {
    return input_error([&] { load(yaml); });
  }
  std::string at(const std::string& needle, const std::string& key_path) const {
    return path_ + ":" + std::to_string(line_of(yaml_, needle)) + ": " + key_path;
  }
  TempDir dir_;
  std::string yaml_;
  std::string path_;
};

TEST_F(NetworkInput, NoNetworkMeansDedicatedLinks) {
  const Scenario s = load(kTinyScenario);
  EXPECT_EQ(s.network.topology, "dedicated");
  ASSERT_TRUE(s.network.graph);
  const net::Route& r = s.network.graph->route(1, 0, net::Direction::kToServer);
  EXPECT_EQ(r.hops(), 1U);
  EXPECT_EQ(r.latency.us(), 200);
  EXPECT_DOUBLE_EQ(r.bottleneck.bits_per_second(), 1e9);
}

TEST_F(NetworkInput, StarRoutesCrossTheUplink) {
  const Scenario s =
      load(with(kServer, "network:\n  topology: star\n  uplink: {bandwidth: 100Mbps, latency: 0.05ms}\n"));
  EXPECT_EQ(s.network.topology, "star");
  const net::Route& r = s.network.graph->route(0, 0, net::Direction::kToServer);
  EXPECT_EQ(r.hops(), 2U);
  EXPECT_EQ(r.latency.us(), 250);  // 0.2 ms desktop link + 0.05 ms uplink
  EXPECT_DOUBLE_EQ(r.bottleneck.bits_per_second(), 100e6);
  // Both desktops share the uplink's resource towards the server.
  EXPECT_EQ(r.resources.back(), s.network.graph->route(1, 0, net::Direction::kToServer).resources.back());
}

TEST_F(NetworkInput, ServersPlacementAndPowerTable) {
  const Scenario s = load(with(
      "server:\n  list: [{id: big, memory: 128GiB}, {id: small}]\n  memory: 16GiB\n  placement: "
      "least-loaded\n"
      "  when_full: stay-on\n  power:\n    model: table\n"
      "    table: [100W, 110W, 120W, 130W, 140W, 150W, 160W, 170W, 180W, 190W, 200W]\n    vm_load: 0.1\n",
      ""));
  ASSERT_EQ(s.servers.list.size(), 2U);
  EXPECT_EQ(s.servers.list[0].id, "big");
  EXPECT_EQ(s.servers.list[0].memory.count(), 128ULL << 30);
  EXPECT_EQ(s.servers.list[1].memory.count(), 16ULL << 30);
  EXPECT_EQ(s.servers.placement, Placement::kLeastLoaded);
  EXPECT_EQ(s.servers.when_full, WhenFull::kStayOn);
  EXPECT_EQ(s.servers.power.model, ServerPowerSpec::Model::kTable);
  EXPECT_DOUBLE_EQ(s.servers.power.curve.at(0.25).watts(), 125.0);  // halfway between 120 W and 130 W
  EXPECT_DOUBLE_EQ(s.servers.power.vm_load, 0.1);
  EXPECT_EQ(s.network.graph->server_count(), 2U);
}

TEST_F(NetworkInput, UnknownTopology) {
  const auto e = load_error(with(kServer, "network:\n  topology: ring\n"));
  EXPECT_EQ(e.origin, at("topology: ring", "network.topology"));
  EXPECT_TRUE(Contains(e.what, "unknown topology 'ring'"));
}

TEST_F(NetworkInput, KeyOfAnotherTopology) {
  const auto e = load_error(with(kServer,
                                 "network:\n  topology: star\n  uplink: {bandwidth: 1Gbps, latency: 0s}\n"
                                 "  desktops_per_switch: 4\n"));
  EXPECT_EQ(e.origin, at("desktops_per_switch: 4", "network.desktops_per_switch"));
  EXPECT_TRUE(Contains(e.what, "does not apply to the 'star' topology"));
}

TEST_F(NetworkInput, ZeroUplinkBandwidth) {
  const auto e =
      load_error(with(kServer, "network:\n  topology: star\n  uplink: {bandwidth: 0Gbps, latency: 0s}\n"));
  EXPECT_EQ(e.origin, at("uplink: {bandwidth: 0Gbps", "network.uplink"));
  EXPECT_TRUE(Contains(e.what, "bandwidth")) << e.what;
}

TEST_F(NetworkInput, UnknownSolver) {
  const auto e = load_error(with(kServer, "network:\n  topology: dedicated\n  solver: fifo\n"));
  EXPECT_EQ(e.origin, at("solver: fifo", "network.solver"));
  EXPECT_TRUE(Contains(e.what, "unknown sharing solver 'fifo'; choose one of: max-min"));
}

const std::string kCustomHead =
    "network:\n  topology: custom\n  nodes: [{name: sw, kind: switch}]\n  links:\n";

TEST_F(NetworkInput, CustomTopology) {
  const Scenario s = load(
      with(kServer, kCustomHead + "    - {a: d00, b: sw, bandwidth: 1Gbps, latency: 1ms}\n"
                                  "    - {a: d01, b: sw, bandwidth: 100Mbps, latency: 1ms, duplex: half}\n"
                                  "    - {a: sw, b: s0, bandwidth: 10Gbps, latency: 0.5ms}\n"));
  const net::Route& r = s.network.graph->route(1, 0, net::Direction::kToDesktop);
  EXPECT_EQ(r.latency.us(), 1500);
  EXPECT_DOUBLE_EQ(r.bottleneck.bits_per_second(), 100e6);
}

TEST_F(NetworkInput, LinkToUnknownNode) {
  const auto e =
      load_error(with(kServer, kCustomHead + "    - {a: d00, b: sw, bandwidth: 1Gbps, latency: 1ms}\n"
                                             "    - {a: d01, b: sx, bandwidth: 1Gbps, latency: 1ms}\n"
                                             "    - {a: sw, b: s0, bandwidth: 1Gbps, latency: 1ms}\n"));
  EXPECT_EQ(e.origin, at("b: sx", "network.links[1]"));
  EXPECT_TRUE(Contains(e.what, "sx")) << e.what;
}

TEST_F(NetworkInput, UnreachableServer) {
  const auto e =
      load_error(with(kServer, kCustomHead + "    - {a: d00, b: sw, bandwidth: 1Gbps, latency: 1ms}\n"
                                             "    - {a: sw, b: s0, bandwidth: 1Gbps, latency: 1ms}\n"));
  EXPECT_TRUE(Contains(e.what, "desktop d01 cannot reach server s0")) << e.what;
}

TEST_F(NetworkInput, DesktopsAreNotDeclaredAsNodes) {
  const auto e = load_error(with(kServer,
                                 "network:\n  topology: custom\n  nodes: [{name: d00, kind: desktop}]\n"
                                 "  links: []\n"));
  EXPECT_EQ(e.origin, at("kind: desktop", "network.nodes[0].kind"));
  EXPECT_TRUE(Contains(e.what, "nodes already"));
}

// Desktop ids, server ids and switch names are one namespace; a clash names both declarations
// (issue 11: it used to say only "node 's0' is declared twice").
TEST_F(NetworkInput, DesktopIdEqualToAListedServerId) {
  // d01 is a desktop of the idle trace (desktops: count: 2) and the second listed server.
  const auto e =
      load_error(with("server:\n  memory: 64GiB\n  list: [{id: big}, {id: d01}]\n"
                      "  power: {model: per-vm, per_vm: 5W}\n",
                      ""));
  const std::string server = at("list: [{id: big}", "server.list[1].id");
  EXPECT_EQ(e.origin, server);
  EXPECT_TRUE(Contains(e.what, "node 'd01' is declared twice: as a desktop (" +
                                   at("idle_trace: traces/idle.csv", "idle_trace") + ") and as a server (" +
                                   server + ")"))
      << e.what;
}

TEST_F(NetworkInput, ListedDesktopNamedLikeANumberedServer) {
  // Desktop `s0` and the one server, named s0 by default (no server.list); a block map's line is
  // that of its first key.
  std::string idle = kTinyIdle;
  while (idle.find("d00") != std::string::npos) idle.replace(idle.find("d00"), 3, "s0");
  yaml_ = replaced(kTinyScenario, "desktops:\n  count: 2\n",
                   "desktops:\n  list:\n    - {id: s0}\n    - {id: d01}\n");
  path_ = write_scenario(dir_, yaml_, idle);
  const auto e = input_error([&] { (void)load_scenario(path_); });
  EXPECT_EQ(e.origin, at("memory: 64GiB", "server"));
  EXPECT_TRUE(Contains(e.what, "node 's0' is declared twice: as a desktop (" +
                                   at("- {id: s0}", "desktops.list[0].id") + ") and as a server (" +
                                   at("memory: 64GiB", "server") + ")"))
      << e.what;
}

TEST_F(NetworkInput, DesktopNamedLikeAGeneratedSwitch) {
  // The star topology's switch is sw0.
  std::string idle = kTinyIdle;
  while (idle.find("d01") != std::string::npos) idle.replace(idle.find("d01"), 3, "sw0");
  yaml_ = with(kServer, "network:\n  topology: star\n  uplink: {bandwidth: 1Gbps, latency: 0s}\n");
  path_ = write_scenario(dir_, yaml_, idle);
  const auto e = input_error([&] { (void)load_scenario(path_); });
  EXPECT_EQ(e.origin, at("topology: star", "network.topology"));
  EXPECT_TRUE(Contains(e.what, "node 'sw0' is declared twice: as a desktop (")) << e.what;
  EXPECT_TRUE(Contains(e.what, "and as a switch (" + at("topology: star", "network.topology") + ")"))
      << e.what;
}

TEST_F(NetworkInput, BadDuplex) {
  const auto e =
      load_error(with(kServer, kCustomHead + "    - {a: d00, b: sw, bandwidth: 1Gbps, latency: 1ms, "
                                             "duplex: simplex}\n"));
  EXPECT_EQ(e.origin, at("duplex: simplex", "network.links[0].duplex"));
  EXPECT_TRUE(Contains(e.what, "'simplex' is not one of: full, half"));
}

TEST_F(NetworkInput, PowerTableNeedsElevenPoints) {
  const auto e = load_error(
      with("server:\n  memory: 64GiB\n  power: {model: table, table: [1W, 2W], vm_load: 0.1}\n", ""));
  EXPECT_EQ(e.origin, at("model: table", "server.power.table"));
  EXPECT_TRUE(Contains(e.what, "needs 11 draws")) << e.what;
}

TEST_F(NetworkInput, PowerTableMustNotDecrease) {
  const auto e =
      load_error(with("server:\n  memory: 64GiB\n  power: {model: table, table: [1W, 2W, 3W, 4W, 5W, 4W, "
                      "7W, 8W, 9W, 10W, 11W], vm_load: 0.1}\n",
                      ""));
  EXPECT_EQ(e.origin, at("model: table", "server.power.table"));
}

TEST_F(NetworkInput, LinearKeysOnAPerVmModel) {
  const auto e =
      load_error(with("server:\n  memory: 64GiB\n  power: {model: per-vm, per_vm: 5W, idle: 100W}\n", ""));
  EXPECT_EQ(e.origin, at("model: per-vm", "server.power.idle"));
  EXPECT_TRUE(Contains(e.what, "does not apply to the 'per-vm' power model"));
}

TEST_F(NetworkInput, VmLoadOutOfRange) {
  const auto e = load_error(
      with("server:\n  memory: 64GiB\n  power: {model: linear, idle: 100W, max: 200W, vm_load: 1.5}\n", ""));
  EXPECT_EQ(e.origin, at("vm_load: 1.5", "server.power.vm_load"));
  EXPECT_TRUE(Contains(e.what, "'1.5' is not a number between 0 and 1"));
}

TEST_F(NetworkInput, BadPlacementAndCountAndList) {
  auto e =
      load_error(replaced(kTinyScenario, "  memory: 64GiB\n", "  memory: 64GiB\n  placement: best-fit\n"));
  EXPECT_EQ(e.origin, at("placement: best-fit", "server.placement"));
  EXPECT_TRUE(Contains(e.what, "'best-fit' is not one of: first-fit, least-loaded"));
  e = load_error(replaced(kTinyScenario, "  memory: 64GiB\n", "  memory: 64GiB\n  count: 0\n"));
  EXPECT_EQ(e.origin, at("count: 0", "server.count"));
  e = load_error(
      replaced(kTinyScenario, "  memory: 64GiB\n", "  memory: 64GiB\n  list: [{id: a}, {id: a}]\n"));
  EXPECT_TRUE(Contains(e.what, "server 'a' is listed twice"));
}

TEST_F(NetworkInput, DirtyRate) {
  Scenario s = load(replaced(kTinyScenario, "    stop_copy_below: 64MiB\n",
                             "    stop_copy_below: 64MiB\n    dirty_rate: 80Mbps\n"));
  ASSERT_TRUE(s.migration.full.dirty_rate.has_value());
  EXPECT_DOUBLE_EQ(s.migration.full.dirty_rate->bits_per_second(), 80e6);
  s = load(replaced(kTinyScenario, "    stop_copy_below: 64MiB\n",
                    "    stop_copy_below: 64MiB\n    dirty_rate: from-trace\n"));
  EXPECT_FALSE(s.migration.full.dirty_rate.has_value());
  const auto e = load_error(replaced(kTinyScenario, "    stop_copy_below: 64MiB\n",
                                     "    stop_copy_below: 64MiB\n    dirty_rate: 80MiB\n"));
  EXPECT_EQ(e.origin, at("dirty_rate: 80MiB", "migration.full.dirty_rate"));
}

}  // namespace
}  // namespace jettison::sim
