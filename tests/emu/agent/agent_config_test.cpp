// The agent's YAML configuration: a full file parses into the right settings, and every mistake
// (unknown key, bad unit, bad value, missing key) is reported with file:line: key.
#include "emu/agent/agent_config.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace jettison::emu
