// jettison-baseline: the comparison baselines of partial migration on a real guest. Boots the guest in
// a source QEMU (RAM in a /dev/shm file of its own), waits for the worker's first heartbeat on its
// serial console, starts a destination QEMU (-incoming defer, RAM of its own) and migrates the whole
// guest with plain pre-copy or post-copy; then reports the bytes moved, QEMU's total time and
// downtime, and whether the heartbeat counter (kept in guest RAM) carried on at the destination.
// Both QEMUs are stopped and every file made here is removed, on failure and on SIGINT/SIGTERM too.
// With --disk, both QEMUs open the same raw root disk (shared storage, as in a lab: the disk is not
// migrated, only RAM and devices); the file is the caller's and is left in place.
//
//   jettison-baseline --mode precopy --kernel vmlinuz --initrd initramfs.cpio.gz
//       --append "console=ttyS0 quiet" --ram 512MiB [--json]
//   jettison-baseline --mode postcopy ... --src-netns desk --dst-netns srv --dst-ip 10.0.0.2 --port 4444
//   jettison-baseline --mode precopy --kernel vmlinuz --initrd initrd.img --append "root=/dev/vda ..."
//       --ram 1GiB --disk rootfs-copy.img
//
// With the namespaces, each QEMU runs inside its own (`ip netns exec`) and the migration goes over TCP
// to --dst-ip; without them, over a UNIX socket. Exit 2 on bad flags, 1 when the migration fails or
// the heartbeat does not carry on at the destination, 0 otherwise.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/input_error.hpp"
#include "common/units.hpp"
#include "emu/tool/cli_main.hpp"
#include "emu/vm/qemu_flags.hpp"
#include "emu/vm/qemu_guest.hpp"
#include "emu/vm/qemu_migration.hpp"
#include "emu/vm/qemu_process.hpp"

namespace {

namespace fs = std::filesystem;
using namespace jettison;
using namespace jettison::emu;
using Clock = std::chrono::steady_clock;

constexpr Duration kQuit = Duration::seconds(10);
constexpr auto kPollEvery = std::chrono::milliseconds(100);

struct Flags {
  std::string mode, kernel, initrd, append, ram = "512MiB", src_netns, dst_netns, dst_ip, accel = "auto",
                                            disk;
  std::string boot_timeout = "180s", migrate_timeout = "300s", heartbeat_timeout = "60s", log_level = "warn";
  std::string settle = "0s";
  std::uint16_t port = 4444;
  bool json = false;
};

// The flags, checked.
struct Plan {
  bool postcopy = false;
  QemuVmSpec guest;  // kernel, initrd, command line, RAM size, accelerator
  bool in_netns = false;
  Duration boot_timeout, migrate_timeout, heartbeat_timeout;
  Duration settle;  // the source runs this long after its first heartbeat before migrating
};

// SIGINT/SIGTERM kill the QEMUs' process groups (kill() is async-signal-safe); the run then fails
// on its next QMP exchange or poll and unwinds, removing its files.
std::atomic<pid_t> g_qemu_groups[2];
volatile sig_atomic_t g_stop = 0;

void on_signal(int sig) {
  g_stop = sig;
  for (auto& g : g_qemu_groups)
    if (const pid_t pid = g.load(); pid > 0) ::kill(-pid, SIGKILL);
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

void check_stop() {
  if (g_stop)
    throw std::runtime_error(fmt::format("interrupted by {}; QEMUs killed, files removed",
                                         g_stop == SIGINT ? "SIGINT" : "SIGTERM"));
}

Duration duration_flag(const char* flag, const std::string& text) {
  try {
    return parse_duration(text);
  } catch (const std::exception& e) {
    throw InputError(flag, e.what());
  }
}

Plan plan_of(const Flags& f) {
  Plan p;
  p.postcopy = f.mode == "postcopy";
  if (f.kernel.empty() || !fs::is_regular_file(f.kernel))
    throw InputError("--kernel",
                     fmt::format("'{}' is not a file (scripts/build-guest.sh builds one)", f.kernel));
  if (!f.initrd.empty() && !fs::is_regular_file(f.initrd))
    throw InputError("--initrd", fmt::format("'{}' is not a file", f.initrd));
  p.guest.kernel = f.kernel;
  p.guest.initrd = f.initrd;
  p.guest.append = f.append;
  p.guest.ram_bytes = parse_guest_ram(f.ram, "--ram");
  if (!f.disk.empty()) {
    // One file for both QEMUs (shared storage): only the source writes it until the switch-over.
    if (!fs::is_regular_file(f.disk))
      throw InputError("--disk", fmt::format("'{}' is not a file (a raw disk image)", f.disk));
    p.guest.extra_args = shared_disk_args(f.disk, "--disk");
  }
  p.guest.accel = parse_accel(f.accel, "--accel");

  const int given = int{!f.src_netns.empty()} + int{!f.dst_netns.empty()} + int{!f.dst_ip.empty()};
  if (given != 0 && given != 3)
    throw InputError("--src-netns", "--src-netns, --dst-netns and --dst-ip go together");
  p.in_netns = given == 3;
  for (const auto& [flag, ns] :
       {std::pair{"--src-netns", f.src_netns}, std::pair{"--dst-netns", f.dst_netns}})
    if (!ns.empty() && !fs::exists(fs::path("/run/netns") / ns))
      throw InputError(flag, fmt::format("no network namespace '{}' (ip netns list)", ns));
  if (p.in_netns) {
    unsigned char buf[16];
    if (::inet_pton(AF_INET, f.dst_ip.c_str(), buf) != 1 && ::inet_pton(AF_INET6, f.dst_ip.c_str(), buf) != 1)
      throw InputError("--dst-ip", fmt::format("'{}' is not an IP address", f.dst_ip));
    if (f.port == 0) throw InputError("--port", "must be 1..65535");
  }
  p.boot_timeout = duration_flag("--boot-timeout", f.boot_timeout);
  p.migrate_timeout = duration_flag("--migrate-timeout", f.migrate_timeout);
  p.heartbeat_timeout = duration_flag("--heartbeat-timeout", f.heartbeat_timeout);
  p.settle = duration_flag("--settle", f.settle);
  return p;
}

// A folder for sockets and logs, and the two RAM files in /dev/shm named after it; all removed when
// it goes (declared before the QEMUs, so they are stopped first).
class Scratch {
 public:
  Scratch() {
    std::string tmpl = (fs::temp_directory_path() / "jettison-baseline-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error(fmt::format("mkdtemp {}: failed", tmpl));
    dir_ = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    for (const auto& f : rams_) fs::remove(f, ec);
    fs::remove_all(dir_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  fs::path file(const std::string& name) const { return dir_ / name; }
  const fs::path& dir() const { return dir_; }
  const std::vector<fs::path>& rams() const { return rams_; }
  fs::path ram(const std::string& name) {
    rams_.push_back(fs::path("/dev/shm") / fmt::format("{}-{}.ram", dir_.filename().string(), name));
    return rams_.back();
  }

 private:
  fs::path dir_;
  std::vector<fs::path> rams_;
};

fs::path find_ip() {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  std::stringstream dirs(path + ":/usr/sbin:/sbin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && ::access((fs::path(dir) / "ip").c_str(), X_OK) == 0) return fs::path(dir) / "ip";
  throw std::runtime_error("'ip' not found (package iproute2): needed to run QEMU in a network namespace");
}

// Starts QEMU for `spec`, inside network namespace `netns` when one is given.
QemuProcess launch(const QemuVmSpec& spec, const std::string& netns, const fs::path& log, int slot) {
  std::optional<QemuProcess> q;
  if (netns.empty()) {
    q.emplace(QemuProcess::start(spec, log));
  } else {
    std::vector<std::string> args{"netns", "exec", netns, find_qemu().string()};
    const auto qemu_args = qemu_argv(spec);
    args.insert(args.end(), qemu_args.begin(), qemu_args.end());
    q.emplace(QemuLaunch{find_ip(), std::move(args), log, spec.qmp_socket, {}});
  }
  g_qemu_groups[slot] = q->pid();
  check_stop();
  return std::move(*q);
}

std::string read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The worker's heartbeat numbers (`jettison-heartbeat <n> <uptime_ms>`) among the complete lines.
std::vector<std::uint64_t> heartbeats_in(const std::string& console) {
  static const std::regex kLine(R"(jettison-heartbeat (\d+) (\d+)\r?$)");
  std::vector<std::uint64_t> beats;
  std::stringstream lines(console.substr(0, console.rfind('\n') + 1));
  std::smatch m;
  for (std::string line; std::getline(lines, line);)
    if (std::regex_search(line, m, kLine)) beats.push_back(std::stoull(m[1].str()));
  return beats;
}

bool consecutive_from_one(const std::vector<std::uint64_t>& beats) {
  if (beats.empty() || beats.front() != 1) return false;
  for (std::size_t i = 1; i < beats.size(); ++i)
    if (beats[i] != beats[i - 1] + 1) return false;
  return true;
}

// Waits until the heartbeats of `console()` reach `at_least`; returns them. Fails when `qemu` exits
// or `timeout` passes first.
template <class Console>
std::vector<std::uint64_t> wait_heartbeats(QemuProcess& qemu, Console console, std::uint64_t at_least,
                                           Duration timeout, std::string_view who) {
  const auto deadline = Clock::now() + std::chrono::microseconds(timeout.us());
  for (;;) {
    check_stop();
    auto beats = heartbeats_in(console());
    if (!beats.empty() && beats.back() >= at_least) return beats;
    if (!qemu.running())
      throw std::runtime_error(fmt::format("the {} QEMU exited before heartbeat {}; its log:\n{}", who,
                                           at_least, qemu.log_tail()));
    if (Clock::now() >= deadline)
      throw std::runtime_error(fmt::format(
          "no heartbeat {} on the {}'s serial console within {:.0f} s (last seen: {}; is console=ttyS0 in "
          "--append and the worker in the initrd?)",
          at_least, who, timeout.seconds_f(),
          beats.empty() ? std::string("none") : std::to_string(beats.back())));
    std::this_thread::sleep_for(kPollEvery);
  }
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int migrate_and_report(const Flags& f, const Plan& plan);

int run(const Flags& f) {
  const Plan plan = plan_of(f);
  try {
    return migrate_and_report(f, plan);
  } catch (const std::exception&) {
    check_stop();  // a signal is the cause of whatever failed after it
    throw;
  }
}

int migrate_and_report(const Flags& f, const Plan& plan) {
  install_signal_handlers();
  const auto started = Clock::now();
  Scratch scratch;
  QemuVmSpec src_spec = plan.guest;
  src_spec.name = "baseline-source";
  src_spec.ram_file = scratch.ram("source");
  src_spec.serial_log = scratch.file("source.serial");
  src_spec.qmp_socket = scratch.file("source.qmp");
  QemuVmSpec dst_spec = plan.guest;
  dst_spec.name = "baseline-destination";
  dst_spec.ram_file = scratch.ram("destination");
  dst_spec.serial_log = scratch.file("destination.serial");
  dst_spec.qmp_socket = scratch.file("destination.qmp");
  dst_spec.incoming = Incoming::kDefer;
  create_ram_file(src_spec.ram_file, src_spec.ram_bytes);
  create_ram_file(dst_spec.ram_file, dst_spec.ram_bytes);

  // The source: boots, then its first heartbeat says the guest's worker runs.
  QemuProcess src = launch(src_spec, f.src_netns, scratch.file("source.log"), 0);
  src.wait_for_qmp(plan.boot_timeout);
  wait_running(src.qmp(), plan.boot_timeout);
  wait_heartbeats(
      src, [&] { return read_whole(src_spec.serial_log); }, 1, plan.boot_timeout, "source");
  const double boot_s = seconds_since(started);
  spdlog::info("source QEMU pid {}: first heartbeat {:.1f} s after start", src.pid(), boot_s);
  // A guest that boots a full system (systemd) settles before it is migrated, as an idle desktop would.
  for (const auto until = Clock::now() + std::chrono::microseconds(plan.settle.us()); Clock::now() < until;) {
    check_stop();
    if (!src.running())
      throw std::runtime_error(
          fmt::format("the source QEMU exited while settling; its log:\n{}", src.log_tail()));
    std::this_thread::sleep_for(kPollEvery);
  }

  QemuProcess dst = launch(dst_spec, f.dst_netns, scratch.file("destination.log"), 1);
  dst.wait_for_qmp(plan.boot_timeout);
  const std::string uri =
      plan.in_netns ? (f.dst_ip.find(':') != std::string::npos ? fmt::format("tcp:[{}]:{}", f.dst_ip, f.port)
                                                               : fmt::format("tcp:{}:{}", f.dst_ip, f.port))
                    : "unix:" + scratch.file("migration.sock").string();

  const auto migrate_start = Clock::now();
  const MigrationResult r = plan.postcopy ? postcopy(src.qmp(), dst.qmp(), uri, plan.migrate_timeout)
                                          : precopy(src.qmp(), dst.qmp(), uri, plan.migrate_timeout);
  const double migrate_s = seconds_since(migrate_start);
  check_stop();

  // The source's console ends where it stopped; the destination's carries on. Read as one text (a
  // line QEMU's UART was sending at the switch is split across the two files).
  std::vector<std::uint64_t> beats;
  std::uint64_t src_last = 0;
  std::string failure;
  if (r.completed()) {
    const std::string src_text = read_whole(src_spec.serial_log);
    const auto src_beats = heartbeats_in(src_text);
    src_last = src_beats.empty() ? 0 : src_beats.back();
    try {
      // Two more beats: at least one printed wholly by the destination.
      beats = wait_heartbeats(
          dst, [&] { return src_text + read_whole(dst_spec.serial_log); }, src_last + 2,
          plan.heartbeat_timeout, "destination");
    } catch (const std::exception& e) {
      failure = e.what();
      beats = heartbeats_in(src_text + read_whole(dst_spec.serial_log));
    }
  } else {
    failure = fmt::format("the {} migration ended {}: {}", f.mode, r.status, r.error_desc);
  }
  const bool continued = failure.empty() && !beats.empty() && beats.back() > src_last;
  const bool continuous = continued && consecutive_from_one(beats);
  dst.quit(kQuit);
  src.quit(kQuit);
  g_qemu_groups[0] = g_qemu_groups[1] = 0;

  nlohmann::json out{{"mode", f.mode},
                     {"status", r.status},
                     {"uri", uri},
                     {"guest_ram_bytes", plan.guest.ram_bytes},
                     {"disk", f.disk},
                     {"transferred_bytes", r.transferred_bytes},
                     {"ram_total_bytes", r.ram_total_bytes},
                     {"normal_pages", r.normal_pages},
                     {"zero_pages", r.duplicate_pages},
                     {"postcopy_requests", r.postcopy_requests},
                     {"total_time_ms", r.total_time_ms},
                     {"downtime_ms", r.downtime_ms},
                     {"setup_time_ms", r.setup_time_ms},
                     {"migrate_seconds", migrate_s},
                     {"boot_seconds", boot_s},
                     {"settle_seconds", plan.settle.seconds_f()},
                     {"source_last_heartbeat", src_last},
                     {"destination_last_heartbeat", beats.empty() ? 0 : beats.back()},
                     {"heartbeat_continued", continued},
                     {"heartbeat_continuous", continuous}};
  // What this run made and removes when it ends (tests check nothing is left behind).
  out["scratch_dir"] = scratch.dir().string();
  out["ram_files"] = nlohmann::json::array();
  for (const auto& ram : scratch.rams()) out["ram_files"].push_back(ram.string());
  if (!failure.empty()) out["error"] = failure;
  if (f.json) {
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print(
        "jettison-baseline: {} of a {} MiB guest over {}{}: {}\n", f.mode, plan.guest.ram_bytes >> 20, uri,
        plan.in_netns ? fmt::format(" (source in netns {}, destination in {})", f.src_netns, f.dst_netns)
                      : "",
        r.status);
    fmt::print(
        "transferred {} bytes (RAM {} bytes: {} pages sent whole, {} zero pages; {} post-copy requests)\n",
        r.transferred_bytes, r.ram_total_bytes, r.normal_pages, r.duplicate_pages, r.postcopy_requests);
    fmt::print(
        "total time {} ms, downtime {} ms, setup {} ms (QEMU's); migrate to destination running {:.3f} s\n",
        r.total_time_ms, r.downtime_ms, r.setup_time_ms, migrate_s);
    fmt::print("heartbeat: source stopped at {}, destination reached {}: {}{}\n", src_last,
               beats.empty() ? 0 : beats.back(), continued ? "continued" : "did NOT continue",
               continuous ? " (consecutive from 1)" : "");
  }
  std::fflush(stdout);
  if (!failure.empty()) {
    fmt::print(stderr, "jettison-baseline: error: {}\n", failure);
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"jettison-baseline: migrate a real guest whole (pre-copy or post-copy) and report its cost"};
  Flags f;
  app.add_option("--mode", f.mode, "precopy or postcopy")
      ->required()
      ->check(CLI::IsMember({"precopy", "postcopy"}));
  app.add_option("--kernel", f.kernel, "the guest's kernel (scripts/build-guest.sh --tiny)")->required();
  app.add_option("--initrd", f.initrd, "the guest's initrd");
  app.add_option("--append", f.append, "the guest's kernel command line (console=ttyS0 for the heartbeats)");
  app.add_option("--ram", f.ram, "the guest's RAM (default 512MiB)");
  app.add_option("--disk", f.disk, "a raw root disk both QEMUs open (shared storage; not migrated)");
  app.add_option("--accel", f.accel, "auto (KVM when /dev/kvm works, else TCG), kvm or tcg");
  app.add_option("--src-netns", f.src_netns, "run the source QEMU in this network namespace");
  app.add_option("--dst-netns", f.dst_netns, "run the destination QEMU in this network namespace");
  app.add_option("--dst-ip", f.dst_ip, "migrate over TCP to this address of the destination's namespace");
  app.add_option("--port", f.port, "TCP port of the incoming migration (default 4444)");
  app.add_option("--boot-timeout", f.boot_timeout, "time for the source's first heartbeat (default 180s)");
  app.add_option("--settle", f.settle,
                 "how long the source runs after its first heartbeat before migrating (default 0s)");
  app.add_option("--migrate-timeout", f.migrate_timeout, "time for the migration (default 300s)");
  app.add_option("--heartbeat-timeout", f.heartbeat_timeout,
                 "time for the destination's heartbeat to carry on (default 60s)");
  app.add_flag("--json", f.json, "print the report as one JSON line");
  add_log_level(app, f.log_level);
  return run_cli("jettison-baseline", app, argc, argv, f.log_level, [&] { return run(f); });
}
