// The desktop agent on loopback with the real power backend in dry-run (nothing is suspended): a
// SLEEP from a RemoteSource stops serving, goes through the backend (which only records its plan)
// and serves again on the same port; the next fetch reconnects. And the jettison-desktop CLI: bad
// flags exit 2 with a clear message, a short run prints the time per power state.
#include "emu/agent/desktop_agent.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "emu/remote/remote_source.hpp"
#include "tests/emu/memserver/test_image.hpp"
#include "tests/emu/support/netns.hpp"

namespace jettison::emu {
namespace {

using std::chrono::milliseconds;
constexpr std::uint64_t kPages = 256;

TlsConfig psk() { return TlsConfig::psk("desktop-1", std::vector<unsigned char>(32, 0x42)); }

DesktopAgentConfig dry_run_agent(const std::filesystem::path& image) {
  DesktopAgentConfig c;
  c.server.image_path = image;
  c.server.tls = psk();
  c.power = PowerBackendKind::kReal;
  c.real.allow_suspend = false;  // the agent forces dry-run: this machine is never suspended
  c.real.sysfs = "/nonexistent-sysfs";
  PowerTable watts;
  watts[PowerState::kActive] = Power::watts(60);
  c.watts = watts;
  return c;
}

TEST(DesktopAgent, RealBackendWithoutAllowSuspendRunsDry) {
  test::TempDir dir;
  DesktopAgent agent(dry_run_agent(test::write_image(dir.path(), kPages)));
  EXPECT_TRUE(agent.config().real.dry_run);
  agent.start();
  ASSERT_TRUE(agent.serving());
  const std::uint16_t port = agent.port();

  RemoteSourceConfig rc;
  rc.endpoint = Endpoint{"127.0.0.1", port};
  rc.tls = psk();
  rc.give_up_after = Duration::seconds(20);  // a bound for a broken test only
  RemoteSource source(rc);
  std::uint64_t seen = 0;
  source.fetch(std::vector<std::uint64_t>{1, 2, 3}, [&](std::uint64_t, const std::byte*) { ++seen; });
  EXPECT_EQ(seen, 3u);

  ASSERT_TRUE(source.sleep_desktop());
  // The dry-run suspend returns at once; wait until the agent has recorded it.
  for (int i = 0; i < 500 && agent.stats().sleeps == 0; ++i) std::this_thread::sleep_for(milliseconds(10));
  for (int i = 0; i < 500 && !agent.stats().last_wake; ++i) std::this_thread::sleep_for(milliseconds(10));
  const DesktopAgentStats s = agent.stats();
  EXPECT_EQ(s.sleeps, 1u);
  ASSERT_TRUE(s.last_wake.has_value());
  EXPECT_EQ(s.last_wake->cause, WakeCause::kDryRun);
  EXPECT_EQ(s.wakeups, 0u);

  seen = 0;
  source.fetch(std::vector<std::uint64_t>{4, 5}, [&](std::uint64_t, const std::byte*) { ++seen; });
  EXPECT_EQ(seen, 2u);
  EXPECT_EQ(agent.port(), port);
  EXPECT_EQ(source.stats().reconnects, 1u);

  agent.stop();
  EXPECT_FALSE(agent.serving());
  ASSERT_TRUE(agent.energy().has_value());
  EXPECT_NE(agent.report().find("active"), std::string::npos);
}

std::string desktop_cli() { return std::string(JETTISON_BIN_DIR) + "/jettison-desktop"; }

TEST(DesktopCli, BadFlagsExitTwoWithAMessage) {
  using testing::run_shell;
  const std::string exe = desktop_cli();
  auto r = run_shell(exe + " --no-such-flag");
  EXPECT_EQ(r.status, 2) << r.output;
  r = run_shell(exe + " --power sideways --image x --listen 127.0.0.1:1");
  EXPECT_EQ(r.status, 2) << r.output;
  r = run_shell(exe + " --image x --listen 127.0.0.1 --insecure-plain-tcp --power real");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--listen"), std::string::npos) << r.output;
  r = run_shell(exe + " --image x --listen 127.0.0.1:0 --insecure-plain-tcp --power real --suspend-delay 3");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--suspend-delay"), std::string::npos) << r.output;
  r = run_shell(exe + " --image x --listen 127.0.0.1:0 --insecure-plain-tcp --power emulated");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("interface"), std::string::npos) << r.output;
  // --speed divides the emulated backend's transition times: refused with real power, and must be > 0.
  r = run_shell(exe + " --image x --listen 127.0.0.1:0 --insecure-plain-tcp --power real --speed 10");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--speed: only with the emulated power backend"), std::string::npos) << r.output;
  r = run_shell(exe + " --image x --listen 127.0.0.1:0 --insecure-plain-tcp --power emulated --speed 0");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--speed"), std::string::npos) << r.output;
  r = run_shell(exe + " --config /nonexistent/agent.yaml");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("/nonexistent/agent.yaml"), std::string::npos) << r.output;
}

TEST(DesktopCli, ShortDryRunPrintsStateTimes) {
  test::TempDir dir;
  const auto image = test::write_image(dir.path(), 16);
  std::ofstream(dir.path() / "psk.hex") << std::string(64, 'b') << "\n";
  const auto r =
      testing::run_shell(desktop_cli() + " --image " + image.string() + " --listen 127.0.0.1:0 --psk-file " +
                         (dir.path() / "psk.hex").string() +
                         " --psk-identity d1 --power real --dry-run --watts active=60W --run-for 300ms"
                         " --log-level warn");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("time per power state"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(" J"), std::string::npos) << r.output;  // energy, since watts were given
}

TEST(DesktopCli, SigtermStopsCleanlyAndReports) {
  test::TempDir dir;
  const auto image = test::write_image(dir.path(), 16);
  const std::string cmd = desktop_cli() + " --image " + image.string() +
                          " --listen 127.0.0.1:0 --insecure-plain-tcp --power real --log-level info"
                          " --run-for 30s";
  // Started in the background, sent SIGTERM after 0.5 s; --run-for bounds it if the signal is lost.
  const auto r = testing::run_shell(
      "sh -c " + testing::shell_quote(cmd + " & pid=$!; sleep 0.5; kill -TERM $pid; wait $pid"));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("SIGTERM received"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("time per power state"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace jettison::emu
