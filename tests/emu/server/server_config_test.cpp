// jettison-server's YAML configuration (emu/server/server_config.hpp): a full file gives the options
// the flags would, keys left out keep the base (the flags' defaults), every mistake is an InputError
// naming file:line: key, and jettison-server --config reads it with flags overriding it.
#include "emu/server/server_config.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/input_error.hpp"
#include "tests/emu/memserver/test_image.hpp"

namespace jettison::emu {
namespace {

struct ConfigDir {
  test::TempDir dir;
  ConfigDir() { std::ofstream(dir.path() / "psk.hex") << std::string(64, 'a') << "\n"; }
  ServerOptions parse(const std::string& text, ServerOptions base = {}) const {
    return parse_server_config(text, "server.yaml", dir.path(), std::move(base));
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

const std::string kHead = "connect: 10.0.0.2:7171\ntls:\n  psk_file: psk.hex\n  psk_identity: lab\n";

// The default scenario's desktop section (scenarios/default.yaml), as a lab file writes it.
const std::string kDesktop =
    "desktop:\n"
    "  vm_memory: 4GiB\n"
    "  power: {active: 110W, idle: 102.1W, migrating: 105W, suspending: 90W, asleep: 1.2W,\n"
    "          resuming_full: 100W, resuming_selective: 60W, serving: 60W}\n"
    "  transitions: {suspend: 3.09s, resume_full: 2.27s, resume_selective: 0.7s, wake_on_lan: 10ms}\n"
    "  link: {bandwidth: 1Gbps, latency: 0.2ms}\n";

TEST(ServerConfig, FullFileGivesTheFlagsValues) {
  ConfigDir d;
  const ServerOptions o = d.parse(kHead +
                                  "connect_timeout: 3s\n"
                                  "give_up_after: 10min\n"
                                  "wake_on_lan:\n"
                                  "  interface: eth1\n"
                                  "  mac: 52:54:00:12:34:56\n"
                                  "  password: aa:bb:cc:dd:ee:ff\n"
                                  "  raw: true\n"
                                  "vm:\n"
                                  "  qemu:\n"
                                  "    run_dir: run\n"
                                  "    ram_dir: /dev/shm\n"
                                  "    handoff_library: lib/handoff.so\n"
                                  "    accel: tcg\n"
                                  "    max_guest_ram: 8GiB\n"
                                  "    libvirt: qemu:///system\n"
                                  "    dirty_tracking: false\n"
                                  "prefetch: {prefetcher: spatial, radius: 4}\n"
                                  "sleep: {rule: timeout, timeout: 10s, trust: 0.25, history: 5}\n"
                                  "control: ctl.sock\n"
                                  "out: results\n"
                                  "periods: 0\n"
                                  "write_back: false\n"
                                  "verify_write_back: true\n"
                                  "log_level: debug\n");
  EXPECT_EQ(o.remote.connect, "10.0.0.2:7171");
  EXPECT_EQ(o.remote.psk_identity, "lab");
  EXPECT_EQ(o.remote.psk_file, (d.dir.path() / "psk.hex").string());  // relative to the file's folder
  EXPECT_FALSE(o.remote.insecure);
  EXPECT_EQ(o.remote.connect_timeout, "3s");
  EXPECT_EQ(o.remote.give_up_after, "10min");
  EXPECT_EQ(o.remote.wol_interface, "eth1");
  EXPECT_EQ(o.remote.desktop_mac, "52:54:00:12:34:56");
  EXPECT_EQ(o.remote.wol_password, "aa:bb:cc:dd:ee:ff");
  EXPECT_TRUE(o.remote.wol_raw);
  EXPECT_TRUE(o.qemu);
  EXPECT_EQ(o.run_dir, (d.dir.path() / "run").string());
  EXPECT_EQ(o.ram_dir, "/dev/shm");  // absolute paths stay
  EXPECT_EQ(o.handoff_library, (d.dir.path() / "lib/handoff.so").string());
  EXPECT_EQ(o.accel, "tcg");
  EXPECT_EQ(o.max_guest_ram, "8GiB");
  EXPECT_EQ(o.libvirt, "qemu:///system");
  EXPECT_TRUE(o.no_dirty_tracking);
  EXPECT_EQ(o.prefetch, "spatial");
  EXPECT_EQ(o.radius, 4u);
  EXPECT_EQ(o.sleep.rule, "timeout");
  EXPECT_EQ(o.sleep.timeout, "10s");
  EXPECT_DOUBLE_EQ(o.sleep.trust, 0.25);
  EXPECT_EQ(o.sleep.history, 5u);
  EXPECT_EQ(o.control, (d.dir.path() / "ctl.sock").string());
  EXPECT_EQ(o.out, (d.dir.path() / "results").string());
  EXPECT_EQ(o.periods, 0u);
  EXPECT_TRUE(o.no_write_back);
  EXPECT_TRUE(o.verify_write_back);
  EXPECT_EQ(o.log_level, "debug");
  EXPECT_FALSE(o.sleep_costs);  // no desktop figures: the default scenario's, at the session
  // The values pass the server's own flag checks (what jettison-server runs before connecting).
  const RemoteSourceConfig remote = remote_source_config(o.remote, 4096);
  EXPECT_EQ(remote.endpoint.port, 7171);
  EXPECT_EQ(sleep_params(o.sleep).timeout, Duration::seconds(10));
}

TEST(ServerConfig, KeysLeftOutKeepTheBase) {
  ConfigDir d;
  ServerOptions base;
  base.periods = 3;
  base.uffd_socket = "/run/vm.sock";
  const ServerOptions o = d.parse("connect: 10.0.0.2:7171\ntls: {insecure_plain_tcp: true}\n", base);
  EXPECT_TRUE(o.remote.insecure);
  EXPECT_EQ(o.periods, 3u);
  EXPECT_EQ(o.uffd_socket, "/run/vm.sock");
  EXPECT_EQ(o.prefetch, "none");
  EXPECT_EQ(o.sleep.timeout, "30s");
  EXPECT_EQ(o.remote.connect_timeout, "2s");
  // vm.uffd_socket replaces a base's --qemu, and the other way round.
  base.qemu = true;
  const ServerOptions u = d.parse(kHead + "vm: {uffd_socket: vm1.sock}\n", base);
  EXPECT_FALSE(u.qemu);
  EXPECT_EQ(u.uffd_socket, (d.dir.path() / "vm1.sock").string());
}

// The sleep rule's costs from the desktop section, derived by hand from the default scenario's
// figures on a dedicated 1 Gbps, 0.2 ms link (common/config/desktop_sleep_costs.cpp):
//   serving 60 W, asleep 1.2 W, suspending 90 W, resuming (selective) 60 W, resuming_full 100 W,
//   suspend 3.09 s, wake = 10 ms + 0.7 s = 710 ms, full resume from sleep 2.27 s,
//   from serving 2.27 - 0.7 = 1.57 s, service = 2 x 0.2 ms + 4096 B x 8 / 1e9 b/s = 400 + 32.8 us.
TEST(ServerConfig, CertificatesInsteadOfAKey) {
  ConfigDir d;
  for (const char* f : {"ca.pem", "server.pem", "server.key"}) std::ofstream(d.dir.path() / f) << "pem\n";
  // Over a base that had a PSK (flags): the file's certificates replace it.
  ServerOptions base;
  base.remote.psk_file = "old.hex";
  base.remote.psk_identity = "old";
  const ServerOptions o =
      d.parse("connect: 10.0.0.2:7171\ntls: {ca: ca.pem, cert: server.pem, key: " +
                  (d.dir.path() / "server.key").string() + "}\n",  // an absolute path stays
              base);
  EXPECT_EQ(o.remote.ca, (d.dir.path() / "ca.pem").string());
  EXPECT_EQ(o.remote.cert, (d.dir.path() / "server.pem").string());
  EXPECT_EQ(o.remote.key, (d.dir.path() / "server.key").string());
  EXPECT_TRUE(o.remote.psk_file.empty());
  EXPECT_TRUE(o.remote.psk_identity.empty());
  const RemoteSourceConfig remote = remote_source_config(o.remote, 4096);
  EXPECT_EQ(remote.tls.security, Security::kTlsCertificates);
  EXPECT_EQ(remote.tls.ca_file, d.dir.path() / "ca.pem");
  // Mistakes.
  EXPECT_NE(d.error("connect: 10.0.0.2:7171\ntls: {ca: ca.pem, cert: server.pem}\n")
                .find("server.yaml:2: tls: missing required key 'key'"),
            std::string::npos);
  EXPECT_NE(d.error("connect: 10.0.0.2:7171\ntls: {ca: nope.pem, cert: server.pem, key: server.key}\n")
                .find("server.yaml:2: tls.ca: '" + (d.dir.path() / "nope.pem").string() + "' does not exist"),
            std::string::npos);
  EXPECT_NE(d.error("connect: 10.0.0.2:7171\ntls: {ca: ca.pem, cert: server.pem, key: server.key, "
                    "psk_file: psk.hex}\n")
                .find("server.yaml:2: tls: give exactly one of"),
            std::string::npos);
  EXPECT_NE(
      d.error(
           "connect: 10.0.0.2:7171\ntls: {ca: ca.pem, cert: server.pem, key: server.key, psk_identity: a}\n")
          .find("server.yaml:2: tls.psk_identity: only with psk_file"),
      std::string::npos);
  // The flags alike: all three or none, never with a PSK.
  RemoteFlags f;
  f.connect = "10.0.0.2:7171";
  f.ca = "ca.pem";
  EXPECT_THROW(remote_source_config(f, 4096), InputError);
  f.cert = f.key = "x";
  f.psk_file = "psk.hex";
  EXPECT_THROW(remote_source_config(f, 4096), InputError);
}

TEST(ServerConfig, DesktopFiguresGiveTheSleepCosts) {
  ConfigDir d;
  const ServerOptions o = d.parse(kHead + kDesktop);
  ASSERT_TRUE(o.sleep_costs);
  const policy::SleepCosts& c = *o.sleep_costs;
  EXPECT_DOUBLE_EQ(c.serving.watts(), 60.0);
  EXPECT_DOUBLE_EQ(c.asleep.watts(), 1.2);
  EXPECT_DOUBLE_EQ(c.suspending.watts(), 90.0);
  EXPECT_DOUBLE_EQ(c.resuming.watts(), 60.0);
  EXPECT_DOUBLE_EQ(c.resuming_full.watts(), 100.0);
  EXPECT_EQ(c.suspend, Duration::millis(3090));
  EXPECT_EQ(c.wake, Duration::millis(710));
  EXPECT_EQ(c.full_resume_from_sleep, Duration::millis(2270));
  EXPECT_EQ(c.full_resume_from_awake, Duration::millis(1570));
  EXPECT_NEAR(static_cast<double>(c.service.us()), 432.8, 1.0);
  // The same figures from the embedded default scenario (its own network path to the server).
  const ServerOptions s = d.parse(kHead + "scenario: embedded:scenarios/default.yaml\n");
  ASSERT_TRUE(s.sleep_costs);
  EXPECT_EQ(s.sleep_costs->wake, Duration::millis(710));
  EXPECT_DOUBLE_EQ(s.sleep_costs->asleep.watts(), 1.2);
}

TEST(ServerConfig, MistakesNameFileLineAndKey) {
  ConfigDir d;
  struct Case {
    std::string text, expected;
  };
  const std::vector<Case> cases = {
      {kHead + "bogus: 1\n", "server.yaml:5: bogus: unknown key 'bogus'"},
      {kHead + "sleep: {rul: timeout}\n",
       "server.yaml:5: sleep.rul: unknown key 'rul' (did you mean 'rule'?)"},
      {"connect: 10.0.0.2\n", "server.yaml:1: connect: '10.0.0.2' is not ADDRESS:PORT"},
      {kHead + "connect_timeout: 3 parsecs\n", "server.yaml:5: connect_timeout:"},
      {kHead + "give_up_after: 0s\n", "server.yaml:5: give_up_after: must be positive"},
      {kHead + "wake_on_lan: {interface: eth0, mac: 52:54:00}\n",
       "server.yaml:5: wake_on_lan.mac: '52:54:00' is not a MAC address"},
      {kHead + "wake_on_lan: {mac: 52:54:00:12:34:56}\n", "wake_on_lan: missing required key 'interface'"},
      {kHead + "vm: {qemu: {accel: hvf}}\n", "server.yaml:5: vm.qemu.accel: 'hvf' is not auto, kvm or tcg"},
      {kHead + "vm: {qemu: {}, uffd_socket: a.sock}\n",
       "server.yaml:5: vm: give exactly one of: qemu, uffd_socket"},
      {kHead + "prefetch: {prefetcher: psychic}\n", "server.yaml:5: prefetch.prefetcher:"},
      {kHead + "sleep: {rule: oracle}\n", "server.yaml:5: sleep.rule:"},
      {kHead + "sleep: {trust: 1.5}\n", "server.yaml:5: sleep.trust: expected a number in (0, 1], got 1.5"},
      {kHead + "sleep: {history: 0}\n", "server.yaml:5: sleep.history: must be at least 1"},
      {kHead + "periods: -1\n", "server.yaml:5: periods: '-1' is not a non-negative whole number"},
      {kHead + "write_back: maybe\n", "server.yaml:5: write_back: 'maybe' is not true or false"},
      {kHead + "log_level: loud\n", "server.yaml:5: log_level: 'loud' is not one of"},
      {"connect: 10.0.0.2:7171\ntls:\n  psk_file: nope.hex\n  psk_identity: lab\n",
       "server.yaml:3: tls.psk_file:"},
      {"connect: 10.0.0.2:7171\ntls: {psk_file: psk.hex}\n", "tls: missing required key 'psk_identity'"},
      {"connect: 10.0.0.2:7171\ntls: {psk_file: psk.hex, psk_identity: a, insecure_plain_tcp: true}\n",
       "server.yaml:2: tls: give exactly one of"},
      {"tls: {insecure_plain_tcp: true}\n", "missing required key 'connect'"},
      {"connect: 10.0.0.2:7171\n", "missing required key 'tls'"},
      {kHead + "desktop: {vm_memory: 4GiB}\n", "server.yaml:5: desktop: missing required key"},
      {kHead + "desktop:\n  vm_memory: 4GiB\n  power: {idle: 5 horses}\n", "server.yaml:7: desktop.power"},
      {kHead + "scenario: missing.yaml\n", "server.yaml:5: scenario: cannot open scenario"},
      {kHead + kDesktop + "scenario: embedded:scenarios/default.yaml\n",
       "scenario: give either 'desktop' or 'scenario', not both"},
      {kHead + "connect: 10.0.0.3:7171\n", "server.yaml:5: connect"},  // a key given twice
  };
  for (const Case& c : cases) {
    const std::string what = d.error(c.text);
    EXPECT_NE(what.find(c.expected), std::string::npos) << "for:\n" << c.text << "got: " << what;
  }
}

TEST(ServerConfig, MissingFileIsAnInputError) {
  EXPECT_THROW(load_server_config("/nonexistent/server.yaml"), InputError);
}

// jettison-server --config FILE [flags]: exit code and first stderr line.
std::pair<int, std::string> run_server(const std::string& args) {
  const std::string cmd = std::string(JETTISON_BIN_DIR) + "/jettison-server " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[512];
  while (p && std::fgets(buf, sizeof buf, p)) out += buf;
  const int status = p ? ::pclose(p) : -1;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(ServerConfig, JettisonServerReadsItAndFlagsOverrideIt) {
  ConfigDir d;
  const auto file = d.dir.path() / "server.yaml";
  std::ofstream(file) << kHead << "periods: 2\n";
  // The file gives --connect and TLS: what is missing next is the VM source (checked before connecting).
  auto [rc, out] = run_server("--config " + file.string());
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("--uffd-socket: give exactly one of --qemu"), std::string::npos) << out;
  // A flag beside --config replaces the file's value (and is checked as a flag).
  std::tie(rc, out) = run_server("--config " + file.string() + " --local-region --connect nowhere");
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("--connect: 'nowhere' is not ADDRESS:PORT"), std::string::npos) << out;
  // A bad file: exit 2, file:line: key, nothing run.
  std::ofstream(file) << kHead << "sleep: {rule: sometimes}\n";
  std::tie(rc, out) = run_server("--config=" + file.string());
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("jettison-server: error: " + file.string() + ":5: sleep.rule:"), std::string::npos)
      << out;
}

}  // namespace
}  // namespace jettison::emu
