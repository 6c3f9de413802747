// End-to-end test of the tiny test guest: scripts/build-guest.sh --tiny builds it (or finds it in its
// cache), QEMU boots it under TCG with 256 MiB of RAM in /dev/shm and the serial console in a file,
// and the worker's heartbeats must arrive, counting up by one from 1. Plain fork/exec, no emulator
// classes: this test checks the guest, not the QEMU backend.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace jettison::emu {
namespace {

namespace fs = std::filesystem;

constexpr const char* kQemu = "qemu-system-x86_64";
constexpr int kHeartbeatMs = 250;
constexpr std::size_t kHeartbeatsWanted = 5;
// Generous: TCG boots to the first heartbeat in a few seconds on an idle machine, the build of the
// guest is cached after its first run, and a loaded CI machine is slower.
constexpr auto kBootDeadline = std::chrono::seconds(45);

// The full path of `name` found on PATH, if any.
std::optional<fs::path> find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    fs::path candidate = fs::path(dir) / name;
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

// Runs a shell command, returns its exit status and its stdout.
std::pair<int, std::string> run_command(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, output};
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
  return {::pclose(pipe), output};
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One heartbeat line of the worker: `jettison-heartbeat <n> <uptime_ms>`.
struct Heartbeat {
  unsigned long long count;
  unsigned long long uptime_ms;
};

// The heartbeats among the complete lines of the console output.
std::vector<Heartbeat> heartbeats_in(const std::string& console) {
  static const std::regex kLine(R"(jettison-heartbeat (\d+) (\d+)\r?$)");
  std::vector<Heartbeat> beats;
  std::stringstream lines(console.substr(0, console.rfind('\n') + 1));
  std::smatch match;
  for (std::string line; std::getline(lines, line);) {
    if (std::regex_search(line, match, kLine)) {
      beats.push_back({std::stoull(match[1].str()), std::stoull(match[2].str())});
    }
  }
  return beats;
}

// A QEMU process and the files of one boot; kills QEMU and removes everything when it goes.
class TinyGuestRun {
 public:
  TinyGuestRun() {
    std::string pattern = (fs::temp_directory_path() / "jettison-guest-e2e-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) dir_ = pattern;
    ram_ = fs::path("/dev/shm") / ("jettison-guest-e2e-" + std::to_string(::getpid()));
  }
  ~TinyGuestRun() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    std::error_code ignored;
    fs::remove(ram_, ignored);
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }
  TinyGuestRun(const TinyGuestRun&) = delete;
  TinyGuestRun& operator=(const TinyGuestRun&) = delete;

  const fs::path& dir() const { return dir_; }
  fs::path console() const { return dir_ / "console.log"; }
  fs::path qemu_output() const { return dir_ / "qemu.log"; }

  // Starts QEMU on the guest in `guest` (vmlinuz, initramfs.cpio.gz, cmdline); false if fork failed.
  bool start(const fs::path& qemu, const fs::path& guest, const std::string& extra_cmdline) {
    std::string cmdline = read_file(guest / "cmdline");
    while (!cmdline.empty() && (cmdline.back() == '\n' || cmdline.back() == ' ')) cmdline.pop_back();
    cmdline += " " + extra_cmdline;
    std::vector<std::string> args = {
        qemu.string(),
        "-accel",
        "tcg",
        "-m",
        "256",
        "-nodefaults",
        "-no-reboot",
        "-display",
        "none",
        "-vga",
        "none",
        "-nic",
        "none",
        "-monitor",
        "none",
        "-object",
        "memory-backend-file,id=mem,size=256M,share=on,mem-path=" + ram_.string(),
        "-machine",
        "pc,memory-backend=mem",
        "-kernel",
        (guest / "vmlinuz").string(),
        "-initrd",
        (guest / "initramfs.cpio.gz").string(),
        "-append",
        cmdline,
        "-serial",
        "file:" + console().string()};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::string log = qemu_output().string();
    pid_ = ::fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // QEMU must not outlive a crashed test
      int null_fd = ::open("/dev/null", O_RDONLY);
      int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
      if (log_fd >= 0) {
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
      }
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    return true;
  }

  // Has QEMU exited? Then its status goes to `status`.
  bool exited(int& status) {
    if (pid_ <= 0) return true;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return true;
    }
    return false;
  }

 private:
  fs::path dir_;
  fs::path ram_;
  pid_t pid_ = -1;
};

TEST(TinyGuest, BootsAndItsHeartbeatCountsUpByOne) {
  std::optional<fs::path> qemu = find_on_path(kQemu);
  if (!qemu) GTEST_SKIP() << kQemu << " is not installed (Debian package qemu-system-x86)";
  if (!fs::is_directory("/dev/shm")) GTEST_SKIP() << "no /dev/shm for the guest's shared RAM";

  const std::string script = std::string(JETTISON_SOURCE_DIR) + "/scripts/build-guest.sh";
  auto [status, output] = run_command("'" + script + "' --tiny");
  ASSERT_EQ(status, 0) << script << " --tiny failed; stdout: " << output;
  while (!output.empty() && output.back() == '\n') output.pop_back();
  const fs::path guest = output.substr(output.rfind('\n') + 1);
  for (const char* file : {"vmlinuz", "initramfs.cpio.gz", "cmdline"}) {
    ASSERT_TRUE(fs::is_regular_file(guest / file)) << script << " printed " << guest << " without " << file;
  }

  TinyGuestRun run;
  ASSERT_FALSE(run.dir().empty()) << "mkdtemp failed";
  ASSERT_TRUE(run.start(*qemu, guest,
                        "jettison.heartbeat_ms=" + std::to_string(kHeartbeatMs) +
                            " jettison.arena_mb=16 jettison.touch_pps=50 jettison.write_pps=20"))
      << "fork failed";

  std::vector<Heartbeat> beats;
  std::string console;
  const auto deadline = std::chrono::steady_clock::now() + kBootDeadline;
  while (beats.size() < kHeartbeatsWanted && std::chrono::steady_clock::now() < deadline) {
    int qemu_status = 0;
    if (run.exited(qemu_status)) {
      FAIL() << "QEMU exited (status " << qemu_status << "): " << read_file(run.qemu_output())
             << "\nconsole:\n"
             << read_file(run.console());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    console = read_file(run.console());
    beats = heartbeats_in(console);
  }
  ASSERT_GE(beats.size(), kHeartbeatsWanted) << "console:\n"
                                             << console << "\nqemu:\n"
                                             << read_file(run.qemu_output());

  // The worker took the command line's parameters (the init passes them on, the worker reads them).
  EXPECT_NE(console.find("jettison-worker start heartbeat_ms=250 arena_mb=16 touch_pps=50 write_pps=20"),
            std::string::npos)
      << console;
  // The counter lives in the worker's memory and counts from 1, one per heartbeat; the guest's uptime
  // goes forward with it.
  for (std::size_t i = 0; i < beats.size(); ++i) {
    EXPECT_EQ(beats[i].count, i + 1) << "heartbeat line " << i << " of:\n" << console;
    if (i > 0) {
      EXPECT_GT(beats[i].uptime_ms, beats[i - 1].uptime_ms) << console;
    }
  }
}

}  // namespace
}  // namespace jettison::emu
