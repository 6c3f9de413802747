// The lab install's files (emu/lab/): make-psk.sh writes a 0600 key and the identity lines, the two
// example configurations load with the daemons' real loaders (with that key next to them, as in
// /etc/jettison/), and the systemd units start the installed daemons with those files.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "common/input_error.hpp"
#include "emu/agent/agent_config.hpp"
#include "emu/agent/desktop_agent.hpp"
#include "emu/remote/remote_source.hpp"
#include "emu/server/server_config.hpp"
#include "tests/emu/memserver/test_image.hpp"

namespace jettison::emu {
namespace {

namespace fs = std::filesystem;
const fs::path kLab = fs::path(JETTISON_SOURCE_DIR) / "emu" / "lab";

// Runs a shell command: exit code and stdout + stderr.
std::pair<int, std::string> run(const std::string& command) {
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  std::string out;
  char buf[512];
  while (p && std::fgets(buf, sizeof buf, p)) out += buf;
  const int status = p ? ::pclose(p) : -1;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

bool have(const std::string& tool) { return run("command -v " + tool).first == 0; }

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(LabFiles, MakePskWritesA0600KeyAndPrintsTheTlsLines) {
  test::TempDir d;
  const fs::path dir = d.path() / "etc-jettison";
  auto [rc, out] = run("bash " + (kLab / "make-psk.sh").string() + " " + dir.string() + " desk-7");
  ASSERT_EQ(rc, 0) << out;
  const fs::path psk = dir / "psk.hex";
  struct stat st {};
  ASSERT_EQ(::stat(psk.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // 32 bytes as 64 hex digits and a newline: 65 bytes.
  const std::string key = read(psk);
  EXPECT_EQ(key.size(), 65u);
  EXPECT_TRUE(std::regex_match(key, std::regex("[0-9a-f]{64}\n")));
  EXPECT_NE(out.find("tls:\n  psk_file: psk.hex\n  psk_identity: desk-7\n"), std::string::npos) << out;
  // An existing key is kept (both machines hold it); --force replaces it with a different one.
  std::tie(rc, out) = run("bash " + (kLab / "make-psk.sh").string() + " " + dir.string());
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("exists"), std::string::npos) << out;
  EXPECT_EQ(read(psk), key);
  std::tie(rc, out) = run("bash " + (kLab / "make-psk.sh").string() + " --force " + dir.string());
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(read(psk), key);
  EXPECT_EQ(read(psk).size(), 65u);
  // A bad identity: nothing written.
  std::tie(rc, out) =
      run("bash " + (kLab / "make-psk.sh").string() + " " + (d.path() / "x").string() + " 'a b'");
  EXPECT_EQ(rc, 2);
  EXPECT_FALSE(fs::exists(d.path() / "x" / "psk.hex"));
}

TEST(LabFiles, MakePskIsShellcheckClean) {
  if (!have("shellcheck")) GTEST_SKIP() << "shellcheck not installed";
  const auto [rc, out] = run("shellcheck " + (kLab / "make-psk.sh").string());
  EXPECT_EQ(rc, 0) << out;
}

// The examples as installed: copied into one folder with the key make-psk.sh writes (their only
// relative path; image, run and RAM folders are absolute placeholders documented in the files).
TEST(LabFiles, ExamplesLoadWithTheDaemonsLoaders) {
  test::TempDir d;
  const auto [rc, out] = run("bash " + (kLab / "make-psk.sh").string() + " " + d.path().string());
  ASSERT_EQ(rc, 0) << out;
  fs::copy_file(kLab / "desktop.yaml", d.path() / "desktop.yaml");
  fs::copy_file(kLab / "server.yaml", d.path() / "server.yaml");

  const DesktopAgentConfig a = load_agent_config(d.path() / "desktop.yaml");
  validate_agent_config(a, "desktop.yaml");
  EXPECT_EQ(a.server.port, 7171);
  EXPECT_EQ(a.server.tls.security, Security::kTlsPsk);
  EXPECT_EQ(a.power, PowerBackendKind::kReal);
  EXPECT_TRUE(a.real.dry_run);         // the example never suspends as shipped
  EXPECT_FALSE(a.real.allow_suspend);  // ... and needs a second key turned
  // The default scenario's figures: idle 102.1 W, asleep 1.2 W; suspend 3.09 s,
  // selective wake = wake_on_lan + resume_selective = 10 ms + 0.7 s = 710 ms.
  ASSERT_TRUE(a.watts);
  EXPECT_DOUBLE_EQ((*a.watts)[PowerState::kIdle].watts(), 102.1);
  EXPECT_DOUBLE_EQ((*a.watts)[PowerState::kAsleep].watts(), 1.2);
  EXPECT_EQ(a.emulated.suspend_delay, Duration::millis(3090));
  EXPECT_EQ(a.emulated.resume_selective_delay, Duration::millis(710));

  const ServerOptions s = load_server_config(d.path() / "server.yaml");
  EXPECT_EQ(s.remote.psk_file, (d.path() / "psk.hex").string());
  EXPECT_EQ(s.remote.psk_identity, "jettison-lab");
  EXPECT_TRUE(s.qemu);
  EXPECT_EQ(s.sleep.rule, "break-even");
  // The server connects where the desktop listens, with the same key.
  const RemoteSourceConfig remote = remote_source_config(s.remote, 4096);
  EXPECT_EQ(remote.endpoint.port, a.server.port);
  EXPECT_EQ(remote.tls.psk_key, a.server.tls.psk_key);
  EXPECT_EQ(remote.tls.psk_identity, a.server.tls.psk_identity);
  ASSERT_TRUE(remote.wake);
  // Both files carry the same desktop figures: the server's sleep rule weighs the desktop's wake.
  ASSERT_TRUE(s.sleep_costs);
  EXPECT_EQ(s.sleep_costs->wake, a.emulated.resume_selective_delay);
  EXPECT_EQ(s.sleep_costs->suspend, a.emulated.suspend_delay);
}

// README step 7 with the shipped files: the agent as desktop.yaml configures it (real backend, dry
// run) on loopback, the server's side as server.yaml configures it (same key), tells it to sleep: the
// agent logs the plan and suspends nothing. Its sysfs is moved to a folder that does not exist, so
// not even a broken dry run could write /sys/power/state here.
TEST(LabFiles, ExampleDesktopRunsDryWhenTheServerSendsItToSleep) {
  test::TempDir d;
  const auto [rc, out] = run("bash " + (kLab / "make-psk.sh").string() + " " + d.path().string());
  ASSERT_EQ(rc, 0) << out;
  fs::copy_file(kLab / "desktop.yaml", d.path() / "desktop.yaml");
  fs::copy_file(kLab / "server.yaml", d.path() / "server.yaml");
  DesktopAgentConfig a = load_agent_config(d.path() / "desktop.yaml");
  a.server.image_path = test::write_image(d.path(), 64);
  a.server.listen_host = "127.0.0.1";
  a.server.port = 0;
  const fs::path sysfs = d.path() / "no-sysfs";
  a.real.sysfs = sysfs;
  DesktopAgent agent(a);
  ASSERT_TRUE(agent.config().real.dry_run);
  agent.start();

  ServerOptions s = load_server_config(d.path() / "server.yaml");
  s.remote.connect = fmt::format("127.0.0.1:{}", agent.port());
  s.remote.wol_interface.clear();  // no magic packets out of this machine's eth0
  s.remote.desktop_mac.clear();
  RemoteSourceConfig rc_config = remote_source_config(s.remote, 4096);
  rc_config.give_up_after = Duration::seconds(20);  // a bound for a broken test only
  RemoteSource source(rc_config);
  std::uint64_t seen = 0;
  source.fetch(std::vector<std::uint64_t>{1, 2, 3}, [&](std::uint64_t, const std::byte*) { ++seen; });
  EXPECT_EQ(seen, 3u);
  // The desktop's status names the server: its address and the PSK identity it proved, connected
  // (registered after its HELLO, before the pages it asked for were served).
  const auto peer = agent.stats().server.peer;
  ASSERT_TRUE(peer);
  EXPECT_EQ(peer->address, "127.0.0.1");
  EXPECT_EQ(peer->identity, "psk:jettison-lab");
  EXPECT_GE(peer->open, 1u);
  EXPECT_TRUE(peer->connected_since_unix_ms);
  ASSERT_TRUE(source.sleep_desktop());
  for (int i = 0; i < 500 && !agent.stats().last_wake; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const DesktopAgentStats st = agent.stats();
  agent.stop();
  EXPECT_EQ(st.sleeps, 1u);
  ASSERT_TRUE(st.last_wake);
  EXPECT_EQ(st.last_wake->cause, WakeCause::kDryRun);
  // The plan README step 7 shows: Wake-on-LAN on eth0, the RTC alarm re-armed for 30 min = 1800 s,
  // S3 by /sys/power/mem_sleep and /sys/power/state (here under the moved sysfs).
  const std::string& plan = st.last_wake->detail;
  EXPECT_NE(plan.find("ETHTOOL_SWOL wol g on eth0"), std::string::npos) << plan;
  EXPECT_NE(plan.find("write '0' to " + (sysfs / "class/rtc/rtc0/wakealarm").string()), std::string::npos)
      << plan;
  EXPECT_NE(plan.find("write '+1800' to " + (sysfs / "class/rtc/rtc0/wakealarm").string()), std::string::npos)
      << plan;
  EXPECT_NE(plan.find("write 'deep' to " + (sysfs / "power/mem_sleep").string()), std::string::npos) << plan;
  EXPECT_NE(plan.find("write 'mem' to " + (sysfs / "power/state").string()), std::string::npos) << plan;
  EXPECT_FALSE(fs::exists(sysfs));
}

// desktop.yaml's commented-out vm: section, uncommented as its comment says (and `image:` dropped),
// loads: the documented keys are the loader's. Its absolute guest paths point at stand-in files here.
TEST(LabFiles, ExampleVmSectionLoadsUncommented) {
  test::TempDir d;
  const auto [rc, out] = run("bash " + (kLab / "make-psk.sh").string() + " " + d.path().string());
  ASSERT_EQ(rc, 0) << out;
  std::string text = read(kLab / "desktop.yaml");
  const auto start = text.find("\n# vm:\n");
  ASSERT_NE(start, std::string::npos);
  const auto end = text.find("\n\n", start + 1);
  std::string section = text.substr(start + 1, end - start);
  section = std::regex_replace(section, std::regex("^# ", std::regex::multiline), "");
  for (const std::string dir : {"/var/lib/jettison/guest/", "/srv/jettison/"})
    section = std::regex_replace(section, std::regex(dir), d.path().string() + "/");
  text = text.substr(0, start + 1) + section + text.substr(end);
  text = std::regex_replace(text, std::regex("\nimage: [^\n]*"), "");
  for (const char* f : {"vmlinuz", "initramfs.cpio.gz", "desk1.raw"}) std::ofstream(d.path() / f) << "x";
  std::ofstream(d.path() / "desktop.yaml") << text;

  const AgentFileConfig c = load_agent_file(d.path() / "desktop.yaml");
  ASSERT_TRUE(c.vm.enabled());
  EXPECT_EQ(c.vm.kernel, d.path() / "vmlinuz");
  EXPECT_EQ(c.vm.initrd, d.path() / "initramfs.cpio.gz");
  EXPECT_EQ(c.vm.disk, d.path() / "desk1.raw");
  EXPECT_EQ(c.vm.ram_bytes, std::uint64_t{4} << 30);  // 4 GiB, equal to desktop.vm_memory
  EXPECT_EQ(c.vm.cpus, 2u);
  EXPECT_EQ(c.vm.name, "desk1");
  EXPECT_EQ(c.vm.run_dir(), fs::path("/run/jettison/desk1"));
  EXPECT_EQ(c.agent.server.image_path, fs::path("/dev/shm/jettison-desk1.ram"));
  validate_agent_config(c.agent, "desktop.yaml");
}

// ExecStart's program and the config file it names, per unit.
struct Unit {
  std::string name, program, config;
};
const Unit kUnits[] = {{"jettison-desktop.service", "jettison-desktop", "desktop.yaml"},
                       {"jettison-server.service", "jettison-server", "server.yaml"}};

TEST(LabFiles, UnitsStartTheInstalledDaemonsWithTheExampleConfigs) {
  for (const Unit& u : kUnits) {
    const std::string text = read(kLab / u.name);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(text, m, std::regex("\nExecStart=(\\S+) --config (\\S+)"))) << u.name;
    // The .deb installs the daemons in /usr/bin (CPACK_PACKAGING_INSTALL_PREFIX /usr, bin/).
    EXPECT_EQ(m[1].str(), "/usr/bin/" + u.program) << u.name;
    EXPECT_EQ(m[2].str(), "/etc/jettison/" + u.config) << u.name;
    EXPECT_TRUE(fs::exists(kLab / u.config));
    EXPECT_NE(text.find("\nRestart=on-failure\n"), std::string::npos) << u.name;
  }
  // The desktop's VM is in desktop.yaml (vm:): its ExecStart takes no VM flags.
  EXPECT_NE(read(kLab / "jettison-desktop.service")
                .find("\nExecStart=/usr/bin/jettison-desktop --config /etc/jettison/desktop.yaml "
                      "--control /run/jettison/desktop.sock\n"),
            std::string::npos);
  // The server may send raw magic packets and create userfaultfds, and cannot suspend anything.
  const std::string server = read(kLab / "jettison-server.service");
  EXPECT_NE(server.find("\nCapabilityBoundingSet=CAP_NET_RAW CAP_SYS_PTRACE\n"), std::string::npos);
  EXPECT_NE(server.find("\nProtectKernelTunables=yes\n"), std::string::npos);
}

TEST(LabFiles, UnitsPassSystemdAnalyzeVerify) {
  if (!have("systemd-analyze")) GTEST_SKIP() << "systemd-analyze not installed (package systemd)";
  // The units as installed, with the daemons of this build in place of /usr/bin's.
  test::TempDir d;
  for (const Unit& u : kUnits) {
    const std::string text =
        std::regex_replace(read(kLab / u.name), std::regex("/usr/bin/"), std::string(JETTISON_BIN_DIR) + "/");
    std::ofstream(d.path() / u.name) << text;
  }
  const auto [rc, out] = run("systemd-analyze verify --man=no " + (d.path() / kUnits[0].name).string() + " " +
                             (d.path() / kUnits[1].name).string());
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "") << "warnings (unknown keys are only warned about)";
}

// libvirt-uffd-access.sh, always into a prepared root (--root: files only, nothing applied to this
// machine): QEMU's user and group come from the root's qemu.conf, passwd and group files.
struct UffdRoot {
  test::TempDir d;
  explicit UffdRoot(const std::string& qemu_conf) {
    fs::create_directories(d.path() / "etc" / "libvirt");
    std::ofstream(d.path() / "etc" / "passwd")
        << "root:x:0:0::/root:/bin/bash\nlibvirt-qemu:x:64055:108:Libvirt "
           "Qemu:/var/lib/libvirt:/usr/sbin/nologin\n";
    std::ofstream(d.path() / "etc" / "group") << "root:x:0:\nkvm:x:108:libvirt-qemu\nqemu-ram:x:900:\n";
    std::ofstream(d.path() / "etc" / "libvirt" / "qemu.conf") << qemu_conf;
  }
  std::pair<int, std::string> run_script(const std::string& args) const {
    return run("bash " + (kLab / "libvirt-uffd-access.sh").string() + " --root " + d.path().string() + " " +
               args);
  }
  fs::path rules() const { return d.path() / "etc/udev/rules.d/60-jettison-userfaultfd.rules"; }
  fs::path sysctl() const { return d.path() / "etc/sysctl.d/60-jettison-userfaultfd.conf"; }
};

TEST(LabFiles, UffdAccessGivesQemusGroupTheDeviceOnNewKernels) {
  // Debian's defaults (qemu.conf's user and group commented out): libvirt-qemu, its own group kvm.
  UffdRoot r("#user = \"root\"\n#group = \"root\"\n");
  const auto [rc, out] = r.run_script("--kernel 6.1.0-18-amd64");
  ASSERT_EQ(rc, 0) << out;
  const std::string rules = read(r.rules());
  EXPECT_NE(rules.find("KERNEL==\"userfaultfd\", GROUP=\"kvm\", MODE=\"0660\"\n"), std::string::npos)
      << rules;
  struct stat st {};
  ASSERT_EQ(::stat(r.rules().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_FALSE(fs::exists(r.sysctl()));
  EXPECT_NE(out.find("not applied now"), std::string::npos) << out;
  // A group set in qemu.conf wins over the user's own.
  UffdRoot g("user = \"libvirt-qemu\"\ngroup = \"qemu-ram\"\n");
  ASSERT_EQ(g.run_script("--kernel 6.5.0").first, 0);
  EXPECT_NE(read(g.rules()).find("GROUP=\"qemu-ram\""), std::string::npos);
}

TEST(LabFiles, UffdAccessFallsBackToTheSysctlOnOldKernels) {
  UffdRoot r("");
  const auto [rc, out] = r.run_script("--kernel 5.10.0-28-amd64");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(read(r.sysctl()).find("\nvm.unprivileged_userfaultfd = 1\n"), std::string::npos);
  EXPECT_FALSE(fs::exists(r.rules()));
  // --method forces one.
  UffdRoot f("");
  ASSERT_EQ(f.run_script("--kernel 6.1.0 --method sysctl").first, 0);
  EXPECT_TRUE(fs::exists(f.sysctl()));
  EXPECT_FALSE(fs::exists(f.rules()));
}

TEST(LabFiles, UffdAccessHasNothingToDoForRootAndNamesWhatIsWrong) {
  UffdRoot root_qemu("user = \"root\"\n");
  auto [rc, out] = root_qemu.run_script("--kernel 6.1.0");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("nothing to do"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(root_qemu.rules()));
  // A group the root does not have: exit 1 naming it and where it came from, nothing written.
  UffdRoot bad_group("group = \"nope\"\n");
  std::tie(rc, out) = bad_group.run_script("--kernel 6.1.0");
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("'nope'"), std::string::npos) << out;
  EXPECT_NE(out.find("qemu.conf"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(bad_group.rules()));
  // A user the root does not have (libvirt not installed there).
  UffdRoot no_user("user = \"qemu-someone\"\n");
  std::tie(rc, out) = no_user.run_script("--kernel 6.1.0");
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("'qemu-someone'"), std::string::npos) << out;
  // Bad arguments: exit 2.
  std::tie(rc, out) = no_user.run_script("--method magic");
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("--method 'magic'"), std::string::npos) << out;
}

TEST(LabFiles, UffdAccessIsShellcheckClean) {
  if (!have("shellcheck")) GTEST_SKIP() << "shellcheck not installed";
  const auto [rc, out] = run("shellcheck " + (kLab / "libvirt-uffd-access.sh").string());
  EXPECT_EQ(rc, 0) << out;
}

}  // namespace
}  // namespace jettison::emu
