// End to end with real QEMU guests (the tiny guest, TCG, loopback, plain TCP): a desktop agent that is
// killed and restarted adopts its VM, and a VM whose server is gone (or whose QEMU is gone too) is
// taken back with its guest's heartbeat continuing from where it was at migration.
//
//   killed while remote   go-idle, jettison-server --qemu hosts the guest, the agent is SIGKILLed and
//                         restarted: it reports remote at the same epoch, serves the same RAM bytes and
//                         device state; the user returns, the server writes back and returns the state,
//                         and the heartbeat counts 1, 2, 3, ... across desktop, server and desktop again
//   ... and QEMU too      the same with the desktop's paused QEMU killed as well: the restarted agent
//                         holds the VM as its RAM file and state-1.bin; the server's return still works
//   killed, VM running    the restarted agent adopts the running QEMU, which still migrates; killed
//   here                  again with its QEMU, the next agent refuses, naming the record (state lost)
//   take-back, no server  go-idle with no server at all, `jettison-ctl take-back`: the answer says what
//                         is lost, the guest runs here again, its heartbeat continues (no restart)
//   QEMU gone too         the agent and its QEMU are SIGKILLed while remote; a restarted agent holds the
//                         VM as its RAM file and state-1.bin; take-back starts a QEMU from the saved state
//   another VM's record   an agent started on a --vm-dir whose record names another RAM file exits 1
//                         naming the record, and touches nothing
//
// Skips when qemu-system-x86_64 or the built tools are missing. Each test uses its own VM name, folder
// and port; every process and /dev/shm file it creates is removed.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "emu/control/control_server.hpp"
#include "emu/wire/page_client.hpp"
#include "emu/wire/tls_config.hpp"
#include "tests/emu/support/child_process.hpp"

namespace jettison::emu {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using jettison::testing::ChildProcess;
using jettison::testing::read_text;

constexpr auto kBoot = std::chrono::seconds(60);  // TCG boot to the first heartbeats on a loaded machine
constexpr auto kMove = std::chrono::seconds(60);  // a migration or a return to complete

std::vector<std::byte> read_bytes(const fs::path& path, std::uint64_t offset = 0, std::size_t n = 0) {
  std::ifstream in(path, std::ios::binary);
  if (n == 0) {
    in.seekg(0, std::ios::end);
    n = static_cast<std::size_t>(in.tellg());
  }
  std::vector<std::byte> out(n);
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(n));
  return out;
}

// The heartbeat counts on the complete lines of a guest's console (`jettison-heartbeat <n> <ms>`).
std::vector<unsigned long long> heartbeats(const fs::path& console) {
  static const std::regex kLine(R"(jettison-heartbeat (\d+) (\d+)\r?$)");
  const std::string text = read_text(console);
  std::vector<unsigned long long> out;
  std::stringstream lines(text.substr(0, text.rfind('\n') + 1));
  std::smatch m;
  for (std::string line; std::getline(lines, line);)
    if (std::regex_search(line, m, kLine)) out.push_back(std::stoull(m[1].str()));
  return out;
}

unsigned long long last_beat(const fs::path& console) {
  const auto beats = heartbeats(console);
  return beats.empty() ? 0 : beats.back();
}

// Waits until `pred` holds (checked every 100 ms) or `limit` passes.
template <class P>
bool wait_for(P&& pred, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return pred();
}

// A free loopback TCP port (bound to 0 and released).
std::uint16_t free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  return ntohs(a.sin_port);
}

// Runs a shell command; its exit status and its output (stdout and stderr).
std::pair<int, std::string> run_command(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, output};
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

bool alive(pid_t pid) {
  return pid > 0 && ::kill(pid, 0) == 0 && !read_text(fmt::format("/proc/{}/cmdline", pid)).empty();
}

class VmAdoptionE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run_command("command -v qemu-system-x86_64").first != 0)
      GTEST_SKIP() << "qemu-system-x86_64 is not installed (Debian package qemu-system-x86)";
    for (const char* tool : {"jettison-desktop", "jettison-ctl", "jettison-server"})
      if (!fs::exists(fs::path(JETTISON_BIN_DIR) / tool))
        GTEST_SKIP() << tool << " is not built in " << JETTISON_BIN_DIR;
    auto [status, out] = run_command(fmt::format("'{}/scripts/build-guest.sh' --tiny", JETTISON_SOURCE_DIR));
    ASSERT_EQ(status, 0) << out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    guest_ = out.substr(out.rfind('\n') + 1);
    ASSERT_TRUE(fs::exists(guest_ / "vmlinuz")) << out;
    std::string tmpl = (fs::temp_directory_path() / "jettison-adopt-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    static int tests = 0;  // short: the server's UNIX socket paths include the name
    name_ = fmt::format("adopt{}-{}", ++tests, ::getpid());
    port_ = free_port();
  }

  void TearDown() override {
    if (HasFailure() && !dir_.empty()) {
      std::cerr << "agent log:\n" << read_text(dir_ / "agent.log");
      if (fs::exists(dir_ / "server.log")) std::cerr << "server log:\n" << read_text(dir_ / "server.log");
    }
    agent_.reset();
    server_.reset();
    // QEMUs an agent left behind (killed, or leaving a remote VM): every pid a record named.
    for (pid_t pid : qemu_pids_)
      if (alive(pid) && read_text(fmt::format("/proc/{}/cmdline", pid)).find(name_) != std::string::npos)
        ::kill(pid, SIGKILL);
    if (const auto pid = recorded_pid();
        pid > 0 && alive(pid) &&
        read_text(fmt::format("/proc/{}/cmdline", pid)).find(name_) != std::string::npos)
      ::kill(pid, SIGKILL);
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/dev/shm", ec))
      if (e.path().filename().string().starts_with("jettison-" + name_)) fs::remove(e.path(), ec);
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  fs::path vm_dir() const { return dir_ / "vm"; }
  fs::path control() const { return dir_ / "ctl.sock"; }
  fs::path console() const { return vm_dir() / "serial.log"; }
  fs::path ram_file() const { return fs::path("/dev/shm") / ("jettison-" + name_ + ".ram"); }

  std::vector<std::string> agent_args(const std::string& ram = "128MiB") const {
    std::string append = read_text(guest_ / "cmdline");
    while (!append.empty() && (append.back() == '\n' || append.back() == ' ')) append.pop_back();
    return {
        "--listen",
        fmt::format("127.0.0.1:{}", port_),
        "--insecure-plain-tcp",
        "--power",
        "emulated",
        "--interface",
        "lo",
        "--no-raw",
        "--wol-udp-port",
        std::to_string(port_),
        "--vm-kernel",
        (guest_ / "vmlinuz").string(),
        "--vm-initrd",
        (guest_ / "initramfs.cpio.gz").string(),
        "--vm-append",
        append + " jettison.heartbeat_ms=200 jettison.arena_mb=8 jettison.touch_pps=50 jettison.write_pps=20",
        "--vm-ram",
        ram,
        "--vm-name",
        name_,
        "--vm-dir",
        vm_dir().string(),
        "--accel",
        "tcg",
        "--control",
        control().string()};
  }

  // Starts (or restarts) the agent and waits for its control socket to answer.
  void start_agent() {
    std::error_code ec;
    fs::remove(control(), ec);
    agent_ = std::make_unique<ChildProcess>("", "jettison-desktop", agent_args(), dir_ / "agent.log");
    std::string last_error;
    ASSERT_TRUE(wait_for(
        [&] {
          if (!agent_->running()) return true;
          try {
            return control_request(control(), {{"cmd", "status"}}, milliseconds(2000)).value("ok", false);
          } catch (const std::exception& e) {
            last_error = e.what();
            return false;
          }
        },
        std::chrono::seconds(60)))
        << "the agent's control socket did not answer within 60 s: " << last_error;
    ASSERT_TRUE(agent_->running()) << "the agent exited";
    if (const auto pid = recorded_pid(); pid > 0) qemu_pids_.push_back(pid);
  }

  nlohmann::json ctl(const std::string& cmd) {
    nlohmann::json a = control_request(control(), {{"cmd", cmd}});
    EXPECT_TRUE(a.value("ok", false)) << cmd << ": " << a.dump();
    return a;
  }

  // The QEMU pid the VM's record names (-1: none).
  pid_t recorded_pid() const {
    const auto text = read_text(vm_dir() / "vm.json");
    const auto record = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    return record.is_object() ? record.value("pid", -1) : -1;
  }

  // Boots the guest and waits for `beats` heartbeats on its console.
  void boot(unsigned long long beats = 5) {
    start_agent();
    ASSERT_TRUE(wait_for([&] { return last_beat(console()) >= beats; }, kBoot)) << read_text(console());
  }

  // The heartbeat counts of `parts` consoles in order, checked to be 1, 2, 3, ... with nothing missing
  // and nothing repeated: the guest never restarted and never went back.
  void period_with_agent_killed(bool kill_qemu);

  static void expect_continuous(const std::vector<unsigned long long>& beats) {
    ASSERT_FALSE(beats.empty());
    for (std::size_t i = 0; i < beats.size(); ++i) ASSERT_EQ(beats[i], i + 1) << "heartbeat line " << i;
  }

  fs::path guest_, dir_;
  std::string name_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> agent_, server_;
  std::vector<pid_t> qemu_pids_;
};

// One hosted period with the agent SIGKILLed and restarted while the server runs the guest; with
// `kill_qemu` the desktop's paused QEMU is killed too (the restarted agent holds the VM as its RAM
// file and state-1.bin, and the server's return starts a new QEMU from the returned state).
void VmAdoptionE2e::period_with_agent_killed(bool kill_qemu) {
  boot();
  const nlohmann::json idle = ctl("go-idle");
  ASSERT_EQ(idle.value("epoch", 0), 1) << idle.dump();
  const pid_t desktop_qemu = recorded_pid();
  ASSERT_GT(desktop_qemu, 0);
  const unsigned long long at_migration = last_beat(console());

  // The server hosts the guest (one period, until the user is back).
  server_ = std::make_unique<ChildProcess>(
      "", "jettison-server",
      std::vector<std::string>{"--connect", fmt::format("127.0.0.1:{}", port_), "--insecure-plain-tcp",
                               "--qemu", "--run-dir", (dir_ / "s").string(), "--accel", "tcg", "--periods",
                               "1", "--give-up-after", "60s"},
      dir_ / "server.log");
  const fs::path server_console = dir_ / "s" / fmt::format("{}-epoch-1", name_) / "serial.log";
  ASSERT_TRUE(wait_for([&] { return last_beat(server_console) >= at_migration + 3; }, kMove))
      << "the guest does not run on the server; its console:\n"
      << read_text(server_console);

  // The agent dies; its paused QEMU does not.
  agent_->kill(SIGKILL);
  ASSERT_TRUE(alive(desktop_qemu)) << "QEMU died with the agent";
  if (kill_qemu) {
    ::kill(desktop_qemu, SIGKILL);
    ASSERT_TRUE(wait_for([&] { return !alive(desktop_qemu); }, std::chrono::seconds(10)));
  }
  const auto ram_before = read_bytes(ram_file());
  const auto state_file = read_bytes(vm_dir() / "state-1.bin");
  ASSERT_FALSE(state_file.empty());
  start_agent();
  const nlohmann::json s = ctl("status");
  EXPECT_EQ(s.value("vm", ""), "remote") << s.dump();
  EXPECT_EQ(s.value("epoch", 0), 1) << s.dump();
  if (kill_qemu) {
    EXPECT_FALSE(s.contains("vm_pid")) << s.dump();
    EXPECT_NE(s.value("adopted", "").find("is gone"), std::string::npos) << s.dump();
  } else {
    EXPECT_EQ(s.value("vm_pid", -1), desktop_qemu) << s.dump();
    EXPECT_NE(s.value("adopted", "").find("adopted (postmigrate)"), std::string::npos) << s.dump();
  }

  // The restarted agent serves the same RAM file and the same device state.
  {
    PageClient client(Endpoint{"127.0.0.1", port_}, TlsConfig::insecure_plain_tcp());
    const VmStatus vs = client.vm_status();
    EXPECT_EQ(vs.state, VmState::kRemote);
    EXPECT_EQ(vs.epoch, 1u);
    const std::vector<std::uint64_t> pages = {0, 1, 7, 256, 4096, 20000, 32767};
    std::size_t same = 0;
    client.get_pages(pages, [&](std::uint64_t page, const std::byte* data) {
      std::vector<std::byte> zero(4096);
      const std::byte* want = ram_before.data() + page * 4096;
      if (std::memcmp(data ? data : zero.data(), want, 4096) == 0) ++same;
    });
    EXPECT_EQ(same, pages.size());
    EXPECT_EQ(client.get_device_state(1), state_file);
  }

  // The guest ran on meanwhile and still does (its faults reach the restarted agent).
  const unsigned long long before_return = last_beat(server_console);
  ASSERT_TRUE(wait_for([&] { return last_beat(server_console) >= before_return + 3; }, kMove));

  // The user returns: write-back, device state back, the VM runs here again.
  ctl("return");
  ASSERT_TRUE(wait_for([&] { return ctl("status").value("vm", "") == "running-local"; }, kMove));
  EXPECT_EQ(server_->wait(std::chrono::seconds(60)), std::optional<int>(0));
  const std::string server_log = read_text(dir_ / "server.log");
  EXPECT_NE(server_log.find("write-back: "), std::string::npos) << server_log;
  const unsigned long long back = last_beat(server_console);
  ASSERT_TRUE(wait_for([&] { return last_beat(console()) >= back + 3; }, kMove)) << read_text(console());

  // Desktop before migration, server, desktop after: 1, 2, 3, ... with no gap and no restart.
  const auto desktop = heartbeats(console());
  const auto server = heartbeats(server_console);
  std::vector<unsigned long long> all;
  for (auto b : desktop)
    if (b <= at_migration) all.push_back(b);
  all.insert(all.end(), server.begin(), server.end());
  for (auto b : desktop)
    if (b > at_migration) all.push_back(b);
  expect_continuous(all);
  const nlohmann::json after = ctl("status");
  EXPECT_EQ(after.value("epoch", 0), 1);
  if (after.contains("vm_pid")) qemu_pids_.push_back(after.value("vm_pid", -1));
}

TEST_F(VmAdoptionE2e, AgentKilledWhileRemoteIsAdoptedAndTheServerReturnsTheVm) {
  period_with_agent_killed(false);
}

TEST_F(VmAdoptionE2e, AgentAndItsQemuKilledWhileRemoteTheServerStillReturnsTheVm) {
  period_with_agent_killed(true);
}

TEST_F(VmAdoptionE2e, AgentKilledWhileTheVmRunsHereIsAdoptedAndStillMigrates) {
  boot();
  const pid_t qemu = recorded_pid();
  ASSERT_GT(qemu, 0);
  agent_->kill(SIGKILL);
  ASSERT_TRUE(alive(qemu)) << "QEMU died with the agent";
  const unsigned long long at_kill = last_beat(console());
  start_agent();
  const nlohmann::json s = ctl("status");
  EXPECT_EQ(s.value("vm", ""), "running-local") << s.dump();
  EXPECT_EQ(s.value("epoch", -1), 0) << s.dump();
  EXPECT_EQ(s.value("vm_pid", -1), qemu) << s.dump();
  EXPECT_NE(s.value("adopted", "").find("adopted (running)"), std::string::npos) << s.dump();
  ASSERT_TRUE(wait_for([&] { return last_beat(console()) >= at_kill + 3; }, kMove)) << read_text(console());
  // The adopted QEMU answers its new agent: it migrates out and comes back by take-back.
  ASSERT_EQ(ctl("go-idle").value("epoch", 0), 1);
  const unsigned long long at_migration = last_beat(console());
  ctl("take-back");
  ASSERT_TRUE(wait_for([&] { return last_beat(console()) >= at_migration + 3; }, kMove))
      << read_text(console());
  expect_continuous(heartbeats(console()));

  // Killed again and its QEMU too, while the VM ran here: its device state is lost, and the restarted
  // agent says so, naming the record, instead of booting a new guest over the RAM file.
  agent_->kill(SIGKILL);
  ::kill(qemu, SIGKILL);
  ASSERT_TRUE(wait_for([&] { return !alive(qemu); }, std::chrono::seconds(10)));
  ChildProcess again("", "jettison-desktop", agent_args(), dir_ / "agent.log");
  EXPECT_EQ(again.wait(std::chrono::seconds(30)), std::optional<int>(1));
  const std::string log = read_text(dir_ / "agent.log");
  EXPECT_NE(log.find("error: " + (vm_dir() / "vm.json").string() + ": the VM ran here and QEMU pid " +
                     std::to_string(qemu) + " is gone"),
            std::string::npos)
      << log;
  EXPECT_TRUE(fs::exists(ram_file()));
}

TEST_F(VmAdoptionE2e, TakeBackWithTheServerGoneResumesFromTheMigration) {
  boot();
  ASSERT_EQ(ctl("go-idle").value("epoch", 0), 1);
  const unsigned long long at_migration = last_beat(console());
  std::this_thread::sleep_for(milliseconds(1000));
  EXPECT_EQ(last_beat(console()), at_migration) << "the paused guest wrote heartbeats";

  const auto [status, out] = run_command(
      fmt::format("{}/jettison-ctl --socket {} --json take-back", JETTISON_BIN_DIR, control().string()));
  ASSERT_EQ(status, 0) << out;
  const nlohmann::json answer = nlohmann::json::parse(out);
  const std::string lost = answer.value("lost", "");
  EXPECT_NE(lost.find("epoch 1"), std::string::npos) << lost;
  EXPECT_NE(lost.find("is lost"), std::string::npos) << lost;
  EXPECT_EQ(ctl("status").value("vm", ""), "running-local");
  ASSERT_TRUE(wait_for([&] { return last_beat(console()) >= at_migration + 3; }, kMove));
  expect_continuous(heartbeats(console()));
  const auto record = nlohmann::json::parse(read_text(vm_dir() / "vm.json"));
  EXPECT_EQ(record.value("phase", ""), "running-local") << record.dump();
}

TEST_F(VmAdoptionE2e, TakeBackAfterTheAgentAndItsQemuWereKilledRestartsFromTheSavedState) {
  boot();
  ASSERT_EQ(ctl("go-idle").value("epoch", 0), 1);
  const unsigned long long at_migration = last_beat(console());
  const pid_t old_qemu = recorded_pid();
  ASSERT_GT(old_qemu, 0);
  agent_->kill(SIGKILL);
  ::kill(old_qemu, SIGKILL);
  ASSERT_TRUE(wait_for([&] { return !alive(old_qemu); }, std::chrono::seconds(10)));

  start_agent();
  const nlohmann::json s = ctl("status");
  EXPECT_EQ(s.value("vm", ""), "remote") << s.dump();
  EXPECT_EQ(s.value("epoch", 0), 1) << s.dump();
  EXPECT_FALSE(s.contains("vm_pid")) << s.dump();
  EXPECT_NE(s.value("adopted", "").find("is gone"), std::string::npos) << s.dump();
  EXPECT_NE(s.value("adopted", "").find("state-1.bin"), std::string::npos) << s.dump();

  const nlohmann::json answer = ctl("take-back");
  const std::string lost = answer.value("lost", "");
  EXPECT_NE(lost.find("is lost"), std::string::npos) << lost;
  EXPECT_NE(lost.find("loaded the saved device state"), std::string::npos) << lost;
  const nlohmann::json after = ctl("status");
  EXPECT_EQ(after.value("vm", ""), "running-local") << after.dump();
  EXPECT_GT(after.value("vm_pid", -1), 0) << after.dump();
  EXPECT_NE(after.value("vm_pid", -1), old_qemu);
  qemu_pids_.push_back(after.value("vm_pid", -1));
  ASSERT_TRUE(wait_for([&] { return last_beat(console()) >= at_migration + 3; }, kMove))
      << read_text(console());
  expect_continuous(heartbeats(console()));

  // A normal stop of the agent while the VM runs here stops QEMU and clears the record.
  const pid_t new_qemu = after.value("vm_pid", -1);
  EXPECT_EQ(agent_->kill(SIGTERM), 0);
  EXPECT_TRUE(wait_for([&] { return !alive(new_qemu); }, std::chrono::seconds(10)));
  EXPECT_FALSE(fs::exists(vm_dir() / "vm.json"));
  EXPECT_FALSE(fs::exists(vm_dir() / "state-1.bin"));
}

TEST_F(VmAdoptionE2e, ARecordOfAnotherVmIsRefusedNamingTheFile) {
  fs::create_directories(vm_dir());
  const nlohmann::json record{{"phase", "remote"},
                              {"epoch", 3},
                              {"user_returned", false},
                              {"backend", "qemu"},
                              {"pid", -1},
                              {"qmp_socket", (vm_dir() / "qmp.sock").string()},
                              {"ram_file", "/dev/shm/jettison-someone-else.ram"},
                              {"description", "{}"}};
  std::ofstream(vm_dir() / "vm.json") << record.dump(2);
  ChildProcess agent("", "jettison-desktop", agent_args(), dir_ / "agent.log");
  EXPECT_EQ(agent.wait(std::chrono::seconds(30)), std::optional<int>(1));
  const std::string log = read_text(dir_ / "agent.log");
  EXPECT_NE(log.find((vm_dir() / "vm.json").string() + ": the record is of another VM"), std::string::npos)
      << log;
  EXPECT_NE(log.find("jettison-someone-else.ram"), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(ram_file())) << "nothing should have started";
  EXPECT_EQ(nlohmann::json::parse(read_text(vm_dir() / "vm.json")), record) << "the record was changed";
}

}  // namespace
}  // namespace jettison::emu
