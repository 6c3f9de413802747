// common/config/desktop_loader: the one loader of a scenario's desktop figures. The default
// scenario's figures, origins of errors (file:line: key, also through `extends`), and the path to
// the server equal to the simulator's route on an idle network for each generated topology.
#include "common/config/desktop_loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/input_error.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::config {
namespace {

using jettison::testing::TempDir;

const std::string kDefaultYaml = std::string(JETTISON_SOURCE_DIR) + "/scenarios/default.yaml";

// The InputError's message for loading `path`, or "" if it loaded.
std::string error_of(const std::string& path) {
  try {
    load_scenario_figures(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(DesktopLoader, DefaultScenariosFigures) {
  const ScenarioFigures& f = default_scenario_figures();
  EXPECT_EQ(f.desktop.vm_memory, Bytes::of(4ULL << 30));
  EXPECT_EQ(f.desktop.power[PowerState::kIdle], Power::watts(102.1));
  EXPECT_EQ(f.desktop.power[PowerState::kAsleep], Power::watts(1.2));
  EXPECT_EQ(f.desktop.power[PowerState::kServing], Power::watts(60));
  EXPECT_EQ(f.desktop.transitions.suspend, Duration::millis(3090));
  EXPECT_EQ(f.desktop.transitions.wake_on_lan, Duration::millis(10));
  EXPECT_EQ(f.desktop.link.latency, Duration::micros(200));
  EXPECT_EQ(f.desktop.link.bandwidth, Bandwidth::bits_per_second(1e9));
  EXPECT_EQ(f.desktop.page_size, Bytes::of(4096));
  // star: the desktop's link (0.2 ms, 1 Gbps) then the uplink (0.05 ms, 10 Gbps).
  EXPECT_EQ(f.server_path->latency, Duration::micros(250));
  EXPECT_EQ(f.server_path->bottleneck, Bandwidth::bits_per_second(1e9));
}

TEST(DesktopLoader, ACustomTopologyGivesNoPath) {
  TempDir dir;
  const std::string custom =
      dir.write("custom.yaml", "extends: " + kDefaultYaml + "\nnetwork:\n  topology: custom\n");
  const ScenarioFigures f = load_scenario_figures(custom);
  EXPECT_FALSE(f.server_path.has_value());
  EXPECT_EQ(f.desktop.power[PowerState::kAsleep], Power::watts(1.2));
}

TEST(DesktopLoader, TheEmbeddedDefaultIsTheFileOnDisk) {
  const ScenarioFigures disk = load_scenario_figures(kDefaultYaml);
  const ScenarioFigures& embedded = default_scenario_figures();
  EXPECT_EQ(disk.desktop.power.watts, embedded.desktop.power.watts);
  EXPECT_EQ(disk.desktop.transitions.resume_full, embedded.desktop.transitions.resume_full);
  EXPECT_EQ(disk.server_path->latency, embedded.server_path->latency);
}

TEST(DesktopLoader, ErrorsNameFileLineAndKey) {
  TempDir dir;
  const std::string typo = dir.write("typo.yaml", "extends: " + kDefaultYaml +
                                                      "\n"
                                                      "desktop:\n"
                                                      "  power:\n"
                                                      "    idel: 50W\n");
  EXPECT_NE(error_of(typo).find(typo + ":4: desktop.power.idel: unknown key 'idel' (did you mean 'idle'?)"),
            std::string::npos)
      << error_of(typo);

  const std::string unitless = dir.write("unitless.yaml", "extends: " + kDefaultYaml +
                                                              "\n"
                                                              "desktop:\n"
                                                              "  transitions:\n"
                                                              "    suspend: 3\n");
  EXPECT_NE(error_of(unitless).find(unitless + ":4: desktop.transitions.suspend: '3' has no unit"),
            std::string::npos)
      << error_of(unitless);

  const std::string missing = dir.write("missing.yaml",
                                        "desktop:\n"
                                        "  vm_memory: 1GiB\n"
                                        "  power: {active: 1W}\n");
  EXPECT_NE(error_of(missing).find(missing + ":3: desktop.power: missing required key 'idle'"),
            std::string::npos)
      << error_of(missing);

  const std::string page = dir.write("page.yaml", "extends: " + kDefaultYaml + "\npage_size: 3000B\n");
  EXPECT_NE(error_of(page).find(page + ":2: page_size: page_size must be a power of two"), std::string::npos)
      << error_of(page);

  const std::string ring =
      dir.write("ring.yaml", "extends: " + kDefaultYaml + "\nnetwork:\n  topology: ring\n");
  EXPECT_NE(error_of(ring).find(ring + ":3: network.topology: unknown topology 'ring'"), std::string::npos)
      << error_of(ring);
}

// The default scenario with its `network:` section replaced by `network` (none when empty), its
// trace paths made absolute so the file loads from anywhere.
std::string default_with_network(const TempDir& dir, const std::string& name, const std::string& network) {
  YAML::Node root = YAML::LoadFile(kDefaultYaml);
  const std::string samples = std::string(JETTISON_SOURCE_DIR) + "/traces/samples/";
  root["idle_trace"] = samples + "office-idle.csv";
  for (YAML::Node p : root["page_traces"]["profiles"])
    p["file"] = samples + std::filesystem::path(p["file"].as<std::string>()).filename().string();
  root.remove("network");
  if (!network.empty()) root["network"] = YAML::Load(network);
  YAML::Emitter out;
  out << root;
  return dir.write(name, std::string(out.c_str()) + "\n");
}

// The server path equals the simulator's route from the first desktop to the first server, for
// every generated topology and for none (dedicated links).
TEST(DesktopLoader, ServerPathIsTheSimulatorsRoute) {
  TempDir dir;
  const std::string networks[] = {
      "",
      "{topology: dedicated}",
      "{topology: star, uplink: {bandwidth: 100Mbps, latency: 1ms}}",
      "{topology: two-tier, desktops_per_switch: 4, access_uplink: {bandwidth: 10Gbps, latency: 0.1ms},"
      " server_link: {bandwidth: 500Mbps, latency: 0.3ms}}",
  };
  int i = 0;
  for (const std::string& net : networks) {
    const std::string path = default_with_network(dir, "net" + std::to_string(i++) + ".yaml", net);
    const ScenarioFigures f = load_scenario_figures(path);
    const sim::Scenario s = sim::load_scenario(path);
    const auto& route = s.network.graph->route(0, 0, sim::net::Direction::kToServer);
    EXPECT_EQ(f.server_path->latency, route.latency) << net;
    EXPECT_EQ(f.server_path->bottleneck, route.bottleneck) << net;
    if (net.empty()) {
      EXPECT_EQ(f.server_path->latency, f.desktop.link.latency);
    }
  }
  const ScenarioFigures& d = default_scenario_figures();
  const sim::Scenario s = sim::load_scenario(kDefaultScenario);
  const auto& route = s.network.graph->route(0, 0, sim::net::Direction::kToServer);
  EXPECT_EQ(d.server_path->latency, route.latency);
  EXPECT_EQ(d.server_path->bottleneck, route.bottleneck);
}

}  // namespace
}  // namespace jettison::config
