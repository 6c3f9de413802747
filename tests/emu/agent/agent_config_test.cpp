// The agent's YAML configuration: a full file parses into the right settings, and every mistake
// (unknown key, bad unit, bad value, missing key) is reported with file:line: key.
#include "emu/agent/agent_config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/input_error.hpp"
#include "tests/emu/memserver/test_image.hpp"

namespace jettison::emu {
namespace {

struct ConfigDir {
  test::TempDir dir;
  ConfigDir() { std::ofstream(dir.path() / "psk.hex") << std::string(64, 'a') << "\n"; }
  DesktopAgentConfig parse(const std::string& text) const {
    return parse_agent_config(text, "agent.yaml", dir.path());
  }
  // The InputError's message for `text`, or "" if it parsed.
  std::string error(const std::string& text) const {
    try {
      parse(text);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }
};

const std::string kTls = "tls:\n  psk_file: psk.hex\n  psk_identity: desk-1\n";

TEST(AgentConfig, FullFileParses) {
  ConfigDir d;
  const auto c = d.parse(
      "image: vm.ram\n"
      "page_size: 4096\n"
      "listen: 10.0.0.1:7000\n" +
      kTls +
      "power:\n"
      "  backend: emulated\n"
      "  interface: jtd0\n"
      "  mac: 52:54:00:12:34:56\n"
      "  password: aa:bb:cc:dd:ee:ff\n"
      "  udp_port: 4009\n"
      "  raw: false\n"
      "  suspend_delay: 10ms\n"
      "  resume_selective: 0.7s\n"
      "  resume_full: 3s\n"
      "  packet_resume: full\n"
      "  initial_state: serving\n"
      "watts:\n"
      "  idle: 50W\n"
      "  asleep: 2W\n");
  EXPECT_EQ(c.server.image_path, d.dir.path() / "vm.ram");
  EXPECT_EQ(c.server.listen_host, "10.0.0.1");
  EXPECT_EQ(c.server.port, 7000);
  EXPECT_EQ(c.server.tls.security, Security::kTlsPsk);
  EXPECT_EQ(c.server.tls.psk_identity, "desk-1");
  EXPECT_EQ(c.server.tls.psk_key.size(), 32u);  // 64 hex digits
  EXPECT_EQ(c.power, PowerBackendKind::kEmulated);
  EXPECT_EQ(c.emulated.listener.interface, "jtd0");
  EXPECT_EQ(c.emulated.listener.mac.to_string(), "52:54:00:12:34:56");
  ASSERT_TRUE(c.emulated.listener.password.has_value());
  EXPECT_EQ(c.emulated.listener.udp_port, std::optional<std::uint16_t>(4009));
  EXPECT_FALSE(c.emulated.listener.raw);
  EXPECT_EQ(c.emulated.suspend_delay, Duration::millis(10));
  EXPECT_EQ(c.emulated.resume_selective_delay, Duration::millis(700));
  EXPECT_EQ(c.emulated.resume_full_delay, Duration::seconds(3));
  EXPECT_EQ(c.emulated.packet_resume, ResumeKind::kFull);
  EXPECT_EQ(c.emulated.initial_state, PowerState::kServing);
  ASSERT_TRUE(c.watts.has_value());
  EXPECT_DOUBLE_EQ((*c.watts)[PowerState::kIdle].watts(), 50.0);
  EXPECT_DOUBLE_EQ((*c.watts)[PowerState::kAsleep].watts(), 2.0);
  EXPECT_NO_THROW(validate_agent_config(c, "agent.yaml"));
}

TEST(AgentConfig, RealBackendDefaultsToNoSuspend) {
  ConfigDir d;
  const auto c = d.parse("image: vm.ram\nlisten: 127.0.0.1:0\n" + kTls +
                         "power:\n  backend: real\n  dry_run: true\n  method: freeze\n");
  EXPECT_EQ(c.power, PowerBackendKind::kReal);
  EXPECT_FALSE(c.real.allow_suspend);
  EXPECT_TRUE(c.real.dry_run);
  EXPECT_EQ(c.real.method, SuspendMethod::kFreeze);
}

TEST(AgentConfig, ErrorsNameFileLineAndKey) {
  ConfigDir d;
  const std::string head = "image: vm.ram\nlisten: 10.0.0.1:7000\n" + kTls;  // lines 1-5
  EXPECT_NE(d.error(head + "power:\n  backend: emulated\n  resume_selctive: 0.7s\n")
                .find("agent.yaml:8: power.resume_selctive: unknown key"),
            std::string::npos);
  EXPECT_NE(d.error(head + "power:\n  backend: emulated\n  resume_selective: 0.7\n")
                .find("agent.yaml:8: power.resume_selective:"),
            std::string::npos);
  EXPECT_NE(d.error(head + "power:\n  backend: hibernate\n").find("agent.yaml:7: power.backend: 'hibernate'"),
            std::string::npos);
  EXPECT_NE(
      d.error(head + "power:\n  backend: real\nwatts:\n  asleep: 2\n").find("agent.yaml:9: watts.asleep:"),
      std::string::npos);
  EXPECT_NE(
      d.error(head + "power:\n  backend: real\nwatts:\n  sleeping: 2W\n").find("watts.sleeping: unknown key"),
      std::string::npos);
  EXPECT_NE(d.error("image: vm.ram\nlisten: 10.0.0.1\n").find("agent.yaml:2: listen:"), std::string::npos);
  EXPECT_NE(d.error(head).find("missing key 'power'"), std::string::npos);
  EXPECT_NE(d.error("image: vm.ram\nlisten: 10.0.0.1:7000\ntls:\n  psk_file: nope.hex\n  psk_identity: x\n")
                .find("agent.yaml:4: tls.psk_file:"),
            std::string::npos);
  EXPECT_NE(d.error("image: [unclosed\n").find("not valid YAML"), std::string::npos);
}

// Keys that are lists or mappings, keys given twice and text that is not UTF-8 are input errors
// naming file:line: key (a list key was a yaml-cpp "bad conversion"; a path not in UTF-8 was taken).
TEST(AgentConfig, KeysArePlainWordsGivenOnceAndTextIsUtf8) {
  ConfigDir d;
  const std::string head = "image: vm.ram\nlisten: 10.0.0.1:7000\n" + kTls;  // lines 1-5
  EXPECT_EQ(d.error(head + "[power]: 1\n"), "agent.yaml:6: keys must be plain words, not a sequence");
  EXPECT_EQ(d.error(head + "power:\n  backend: real\n  backend: emulated\n"),
            "agent.yaml:8: power.backend: key 'backend' given twice (first at line 7)");
  EXPECT_EQ(d.error("image: vm\xff.ram\n"),
            "agent.yaml:1: image: the value 'vm\\xff.ram' is not valid UTF-8 (byte 3 is 0xff)");
}

const std::string kDesktop =
    "desktop:\n"                                                                                  // line 8
    "  vm_memory: 2GiB\n"                                                                         // 9
    "  power: {active: 70W, idle: 50W, migrating: 55W, suspending: 40W, asleep: 2W,\n"            // 10
    "          resuming_full: 45W, resuming_selective: 30W, serving: 25W}\n"                      // 11
    "  transitions: {suspend: 2s, resume_full: 3s, resume_selective: 0.5s, wake_on_lan: 20ms}\n"  // 12
    "  link: {bandwidth: 1Gbps, latency: 0.1ms}\n";                                               // 13

TEST(AgentConfig, DesktopSectionGivesWattsAndTransitions) {
  ConfigDir d;
  const std::string head = "image: vm.ram\nlisten: 10.0.0.1:7000\n" + kTls;  // lines 1-5
  const auto c = d.parse(head + "power:\n  backend: emulated\n  interface: jtd0\n" + kDesktop);
  ASSERT_TRUE(c.watts.has_value());
  EXPECT_EQ((*c.watts)[PowerState::kIdle], Power::watts(50));
  EXPECT_EQ((*c.watts)[PowerState::kServing], Power::watts(25));
  EXPECT_EQ((*c.watts)[PowerState::kAsleep], Power::watts(2));
  EXPECT_EQ(c.emulated.suspend_delay, Duration::seconds(2));
  // A wake lasts wake_on_lan + the resume, as in the simulator: 20 ms + 0.5 s, 20 ms + 3 s.
  EXPECT_EQ(c.emulated.resume_selective_delay, Duration::millis(520));
  EXPECT_EQ(c.emulated.resume_full_delay, Duration::millis(3020));

  // Keys under power: and watts: override single values, wherever they are in the file.
  const auto o =
      d.parse(head + "watts:\n  idle: 51W\npower:\n  backend: emulated\n  suspend_delay: 10ms\n" + kDesktop);
  EXPECT_EQ((*o.watts)[PowerState::kIdle], Power::watts(51));
  EXPECT_EQ((*o.watts)[PowerState::kServing], Power::watts(25));
  EXPECT_EQ(o.emulated.suspend_delay, Duration::millis(10));
  EXPECT_EQ(o.emulated.resume_selective_delay, Duration::millis(520));
}

TEST(AgentConfig, ScenarioGivesTheSimulatorsDesktop) {
  ConfigDir d;
  const std::string head = "image: vm.ram\nlisten: 10.0.0.1:7000\n" + kTls + "power:\n  backend: real\n";
  // The default scenario (embedded, and the same file on disk by a relative path).
  const std::string on_disk =
      std::filesystem::relative(std::filesystem::path(JETTISON_SOURCE_DIR) / "scenarios/default.yaml",
                                d.dir.path())
          .string();
  for (const std::string& path : {std::string("embedded:scenarios/default.yaml"), on_disk}) {
    const auto c = d.parse(head + "scenario: " + path + "\n");
    ASSERT_TRUE(c.watts.has_value()) << path;
    // scenarios/default.yaml: idle 102.1 W, asleep 1.2 W, serving 60 W; suspend 3.09 s; a selective
    // wake 10 ms + 0.7 s, a full one 10 ms + 2.27 s; page_size 4 KiB.
    EXPECT_EQ((*c.watts)[PowerState::kIdle], Power::watts(102.1)) << path;
    EXPECT_EQ((*c.watts)[PowerState::kAsleep], Power::watts(1.2)) << path;
    EXPECT_EQ((*c.watts)[PowerState::kServing], Power::watts(60)) << path;
    EXPECT_EQ(c.emulated.suspend_delay, Duration::millis(3090)) << path;
    EXPECT_EQ(c.emulated.resume_selective_delay, Duration::millis(710)) << path;
    EXPECT_EQ(c.emulated.resume_full_delay, Duration::millis(2280)) << path;
    EXPECT_EQ(c.server.page_size, 4096u) << path;
  }
}

TEST(AgentConfig, DesktopErrorsNameFileLineAndKey) {
  ConfigDir d;
  const std::string head = "image: vm.ram\nlisten: 10.0.0.1:7000\n" + kTls + "power:\n  backend: real\n";
  // Lines 1-7 are the head; the desktop section starts on line 8.
  std::string typo = kDesktop;
  typo.replace(typo.find("  link:"), 7, "  lnk:");
  EXPECT_NE(d.error(head + typo).find("agent.yaml:13: desktop.lnk: unknown key 'lnk'"), std::string::npos)
      << d.error(head + typo);
  std::string unitless = kDesktop;
  unitless.replace(unitless.find("suspend: 2s"), 11, "suspend: 2");
  EXPECT_NE(d.error(head + unitless).find("agent.yaml:12: desktop.transitions.suspend: '2' has no unit"),
            std::string::npos)
      << d.error(head + unitless);
  EXPECT_NE(
      d.error(head + "desktop:\n  vm_memory: 1GiB\n").find("agent.yaml:9: desktop: missing required key"),
      std::string::npos)
      << d.error(head + "desktop:\n  vm_memory: 1GiB\n");
  EXPECT_NE(d.error(head + "scenario: nowhere.yaml\n").find("agent.yaml:8: scenario: cannot open scenario"),
            std::string::npos);
  EXPECT_NE(d.error(head + kDesktop + "scenario: embedded:scenarios/default.yaml\n")
                .find("agent.yaml:14: scenario: give either 'desktop' or 'scenario', not both"),
            std::string::npos)
      << d.error(head + kDesktop + "scenario: embedded:scenarios/default.yaml\n");
  // An error inside the scenario file names that file.
  const std::string bad = (d.dir.path() / "bad.yaml").string();
  std::ofstream(bad) << "desktop:\n  vm_memory: 4GiB\n  power: {idle: 50}\n";
  EXPECT_NE(d.error(head + "scenario: bad.yaml\n").find(bad + ":3: desktop.power"), std::string::npos)
      << d.error(head + "scenario: bad.yaml\n");
}

TEST(AgentConfig, EmulatedNeedsAnInterface) {
  ConfigDir d;
  const auto c = d.parse("image: vm.ram\nlisten: 127.0.0.1:7000\n" + kTls + "power:\n  backend: emulated\n");
  try {
    validate_agent_config(c, "agent.yaml");
    FAIL() << "accepted an emulated backend without an interface";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("interface"), std::string::npos) << e.what();
  }
}

TEST(AgentConfig, Endpoints) {
  EXPECT_EQ(parse_endpoint("10.0.0.1:7000").host, "10.0.0.1");
  EXPECT_EQ(parse_endpoint("10.0.0.1:7000").port, 7000);
  EXPECT_EQ(parse_endpoint("[::1]:80").host, "::1");
  EXPECT_THROW(parse_endpoint("10.0.0.1"), std::invalid_argument);
  EXPECT_THROW(parse_endpoint("10.0.0.1:70000"), std::invalid_argument);
  EXPECT_THROW(parse_endpoint(":7000"), std::invalid_argument);
  EXPECT_THROW(parse_endpoint("::1:7000"), std::invalid_argument);
}

// The `connections:` section (the memory server's connection limits and handshake timeout): values
// land in the server's configuration, defaults stay when it is absent, and a zero, an unknown key or a
// duration without a unit is an error naming file:line: key.
const std::string kConnectionsBase =
    "image: vm.ram\n"
    "listen: 127.0.0.1:7000\n"
    "tls:\n  psk_file: psk.hex\n  psk_identity: desk-1\n"
    "power:\n  backend: real\n";

TEST(AgentConnectionsConfig, ValuesReachTheServer) {
  ConfigDir d;
  const auto c = d.parse(kConnectionsBase +
                         "connections:\n  max: 10\n  max_handshakes: 6\n  max_per_peer: 3\n"
                         "  handshake_timeout: 1500ms\n");
  EXPECT_EQ(c.server.limits.max_connections, 10u);
  EXPECT_EQ(c.server.limits.max_handshakes, 6u);
  EXPECT_EQ(c.server.limits.max_per_peer, 3u);
  EXPECT_EQ(c.server.handshake_timeout, Duration::millis(1500));
}

TEST(AgentConnectionsConfig, DefaultsWithoutTheSection) {
  ConfigDir d;
  const auto c = d.parse(kConnectionsBase);
  const ConnectionLimitsConfig defaults;
  EXPECT_EQ(c.server.limits.max_connections, defaults.max_connections);
  EXPECT_EQ(c.server.limits.max_handshakes, defaults.max_handshakes);
  EXPECT_EQ(c.server.limits.max_per_peer, defaults.max_per_peer);
  EXPECT_EQ(c.server.handshake_timeout, Duration::seconds(5));
}

TEST(AgentConnectionsConfig, MistakesNameTheKey) {
  ConfigDir d;
  std::string e = d.error(kConnectionsBase + "connections:\n  max_per_peer: 0\n");
  EXPECT_NE(e.find("agent.yaml:9"), std::string::npos) << e;  // kConnectionsBase has 7 lines; the key is on 9
  EXPECT_NE(e.find("connections.max_per_peer"), std::string::npos) << e;
  e = d.error(kConnectionsBase + "connections:\n  max_peers: 4\n");
  EXPECT_NE(e.find("connections.max_peers"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown key"), std::string::npos) << e;
  e = d.error(kConnectionsBase + "connections:\n  handshake_timeout: 5\n");
  EXPECT_NE(e.find("connections.handshake_timeout"), std::string::npos) << e;
}

}  // namespace
}  // namespace jettison::emu
