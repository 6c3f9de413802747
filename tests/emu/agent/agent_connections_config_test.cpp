// The agent configuration's `connections:` section (the memory server's connection limits and
// handshake timeout): values land in the server's configuration, defaults stay when it is absent,
// and a zero, an unknown key or a duration without a unit is an error naming file:line: key.
#include <gtest/gtest.h>

#include <fstream>

#include "common/input_error.hpp"
#include "emu/agent/agent_config.hpp"
#include "tests/emu/memserver/test_image.hpp"

namespace jettison::emu {
namespace {

const std::string kBase =
    "image: vm.ram\n"
    "listen: 127.0.0.1:7000\n"
    "tls:\n  psk_file: psk.hex\n  psk_identity: desk-1\n"
    "power:\n  backend: real\n";

struct Dir {
  test::TempDir dir;
  Dir() { std::ofstream(dir.path() / "psk.hex") << std::string(64, 'a') << "\n"; }
  DesktopAgentConfig parse(const std::string& text) const {
    return parse_agent_config(text, "agent.yaml", dir.path());
  }
  std::string error(const std::string& text) const {
    try {
      parse(text);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }
};

TEST(AgentConnectionsConfig, ValuesReachTheServer) {
  Dir d;
  const auto c = d.parse(kBase +
                         "connections:\n  max: 10\n  max_handshakes: 6\n  max_per_peer: 3\n"
                         "  handshake_timeout: 1500ms\n");
  EXPECT_EQ(c.server.limits.max_connections, 10u);
  EXPECT_EQ(c.server.limits.max_handshakes, 6u);
  EXPECT_EQ(c.server.limits.max_per_peer, 3u);
  EXPECT_EQ(c.server.handshake_timeout, Duration::millis(1500));
}

TEST(AgentConnectionsConfig, DefaultsWithoutTheSection) {
  Dir d;
  const auto c = d.parse(kBase);
  const ConnectionLimitsConfig defaults;
  EXPECT_EQ(c.server.limits.max_connections, defaults.max_connections);
  EXPECT_EQ(c.server.limits.max_handshakes, defaults.max_handshakes);
  EXPECT_EQ(c.server.limits.max_per_peer, defaults.max_per_peer);
  EXPECT_EQ(c.server.handshake_timeout, Duration::seconds(5));
}

TEST(AgentConnectionsConfig, MistakesNameTheKey) {
  Dir d;
  std::string e = d.error(kBase + "connections:\n  max_per_peer: 0\n");
  EXPECT_NE(e.find("agent.yaml:9"), std::string::npos) << e;  // kBase has 7 lines; the key is on 9
  EXPECT_NE(e.find("connections.max_per_peer"), std::string::npos) << e;
  e = d.error(kBase + "connections:\n  max_peers: 4\n");
  EXPECT_NE(e.find("connections.max_peers"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown key"), std::string::npos) << e;
  e = d.error(kBase + "connections:\n  handshake_timeout: 5\n");
  EXPECT_NE(e.find("connections.handshake_timeout"), std::string::npos) << e;
}

}  // namespace
}  // namespace jettison::emu
