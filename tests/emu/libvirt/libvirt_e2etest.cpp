// The libvirt backend end to end, on a libvirt daemon of the test's own (private_libvirtd.hpp: its
// virtlogd and libvirtd, private config, sockets and state, QEMU run as root, TCG here): the tiny guest
// (scripts/build-guest.sh --tiny) printing `jettison-heartbeat N` every second from a counter in its
// RAM is partially migrated there and back, once under plain QEMU and once under libvirt, in the same
// run, through the backends' seam (DesktopVm, HostedVm) and a Fetcher serving the hosted guest's
// faults from the desktop's RAM file:
//
//   round trip     device state out (well under 1% of RAM), the guest runs hosted with its pages
//                  fetched on demand (under 5% of RAM), the pages it dirtied written back into the
//                  desktop's RAM file, the state back, and the heartbeat counts on across the three
//                  consoles without a restart, repeat or gap; figures printed for both backends
//   adoption       a domain defined without shared memory is refused, naming <memoryBacking>'s
//                  <access mode='shared'/>; our own running domain is adopted and moves out
//   cleanup        every domain is undefined, every QEMU and both daemons are gone (checked by pid)
//
// Needs root, userfaultfd, qemu-system-x86_64, libvirtd and virtlogd (skips otherwise).
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "emu/fetch/fetcher.hpp"
#include "emu/fetch/image_source.hpp"
#include "emu/fetch/uffd_region.hpp"
#include "emu/sys/unique_fd.hpp"
#include "emu/vm/libvirt_desktop_vm.hpp"
#include "emu/vm/libvirt_hosted_vm.hpp"
#include "emu/vm/qemu_desktop_vm.hpp"
#include "emu/vm/qemu_hosted_vm.hpp"
#include "tests/emu/support/private_libvirtd.hpp"

namespace jettison::emu {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kRam = std::uint64_t{128} << 20;
constexpr std::uint64_t kPages = kRam / 4096;
constexpr Duration kTimeout = Duration::seconds(60);

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool eventually(const std::function<bool()>& pred, milliseconds limit) {
  const auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return pred();
}

std::vector<std::uint64_t> heartbeats(const fs::path& log) {
  std::vector<std::uint64_t> out;
  std::istringstream in(read_text(log));
  const std::regex beat(R"(jettison-heartbeat (\d+) )");
  std::smatch m;
  for (std::string line; std::getline(in, line);)
    if (std::regex_search(line, m, beat)) out.push_back(std::stoull(m[1]));
  return out;
}

std::uint64_t last_beat(const fs::path& log) {
  const auto b = heartbeats(log);
  return b.empty() ? 0 : b.back();
}

// Empty when the logs together hold heartbeats 1..max exactly once, each log counting up; else what is
// wrong (the counter lives in guest RAM: never restarted, repeated or skipped across the moves).
std::string continuity(const std::vector<fs::path>& logs) {
  std::vector<std::uint64_t> all;
  for (const auto& log : logs) {
    const auto beats = heartbeats(log);
    for (std::size_t i = 1; i < beats.size(); ++i)
      if (beats[i] <= beats[i - 1])
        return fmt::format("{}: heartbeat {} after {}", log.string(), beats[i], beats[i - 1]);
    all.insert(all.end(), beats.begin(), beats.end());
  }
  std::sort(all.begin(), all.end());
  if (all.empty()) return "no heartbeat at all";
  for (std::size_t i = 0; i < all.size(); ++i)
    if (all[i] != i + 1) return fmt::format("heartbeat {} where {} was due", all[i], i + 1);
  return {};
}

// True while `pid` runs (a zombie waiting for its reaper counts as gone).
bool alive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  const std::string stat = read_text(fmt::format("/proc/{}/stat", pid));
  const auto paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'Z';
}

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct Figures {
  std::size_t out_bytes = 0, back_bytes = 0;
  double out_ms = 0, host_ms = 0, back_ms = 0;
  std::uint64_t fetched = 0, dirty = 0;
  std::chrono::nanoseconds fault_p50{0}, fault_p90{0};
};

class LibvirtE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (a private libvirtd, QEMU as root)";
    if (auto why = userfaultfd_unavailable()) GTEST_SKIP() << *why;
    if (std::system("command -v qemu-system-x86_64 libvirtd virtlogd unshare nsenter >/dev/null 2>&1") != 0)
      GTEST_SKIP() << "qemu-system-x86_64, libvirtd, virtlogd, unshare or nsenter is missing";
    FILE* p = ::popen(
        (std::string(JETTISON_SOURCE_DIR) + "/scripts/build-guest.sh --tiny 2>/dev/null").c_str(), "r");
    ASSERT_NE(p, nullptr);
    char buf[4096] = {};
    const bool got = std::fgets(buf, sizeof buf, p) != nullptr;
    ASSERT_EQ(::pclose(p), 0);
    ASSERT_TRUE(got);
    guest_ = std::string(buf);
    guest_.erase(guest_.find_last_not_of("\n") + 1);
    std::string tmpl = (fs::temp_directory_path() / "jettison-libvirt-e2e-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    tag_ = dir_.filename().string();
    daemon_ = std::make_unique<testing::PrivateLibvirtd>();
  }
  void TearDown() override {
    // The backends' own cleanup ran with their destructors; what is left is checked, then removed.
    if (daemon_) {
      for (pid_t pid : qemu_pids_)
        EXPECT_TRUE(eventually([&] { return !alive(pid); }, milliseconds(5000)))
            << "QEMU " << pid << " outlived its domain";
      std::error_code ec;
      if (HasFailure())
        for (const auto& e : fs::directory_iterator(daemon_->dir() / "log" / "qemu", ec))
          std::cerr << e.path() << ":\n" << read_text(e.path());
      const pid_t libvirtd = daemon_->libvirtd_pid(), virtlogd = daemon_->virtlogd_pid();
      daemon_.reset();
      EXPECT_FALSE(alive(libvirtd)) << "libvirtd outlived the test";
      EXPECT_FALSE(alive(virtlogd)) << "virtlogd outlived the test";
    }
    std::error_code gone;
    for (const auto& f : ram_files_) fs::remove(f, gone);
    if (!dir_.empty()) fs::remove_all(dir_, gone);
  }

  QemuVmSpec guest(const std::string& name) {
    QemuVmSpec s;
    s.name = name;
    s.ram_bytes = kRam;
    s.ram_file = fs::path("/dev/shm") / fmt::format("{}-{}.ram", tag_, name);
    ram_files_.push_back(s.ram_file);
    s.kernel = guest_ + "/vmlinuz";
    s.initrd = guest_ + "/initramfs.cpio.gz";
    const std::string cmdline = read_text(guest_ + "/cmdline");
    s.append = cmdline.substr(0, cmdline.find('\n'));
    s.accel = Accel::kAuto;
    return s;
  }
  std::string suffix() const { return tag_.substr(tag_.size() - 6); }
  fs::path handoff_library() const {
    return fs::path(JETTISON_BIN_DIR) / ".." / "lib" / "libjettison-uffd-handoff.so";
  }

  // There and back through the seam: `host` builds the hosted VM from the sealed state; the hosted
  // console is `hosted_console(vm)`.
  Figures round_trip(DesktopVm& desktop, const fs::path& desktop_console,
                     const std::function<std::unique_ptr<HostedVm>(std::span<const std::byte>)>& host,
                     const std::function<fs::path(HostedVm&)>& hosted_console) {
    Figures f;
    EXPECT_TRUE(eventually([&] { return heartbeats(desktop_console).size() >= 3; }, seconds(60)))
        << read_text(desktop_console);
    auto t = Clock::now();
    const std::vector<std::byte> out = desktop.migrate_out(kTimeout);
    f.out_ms = ms_since(t);
    f.out_bytes = out.size();
    const std::uint64_t at_out = last_beat(desktop_console);

    t = Clock::now();
    std::unique_ptr<HostedVm> hosted = host(out);
    ImageSource source(desktop.ram_file());
    Fetcher fetcher(hosted->region(), source, make_prefetcher("none", {}, {kPages, Bytes::of(4096)}));
    fetcher.start();
    hosted->start(out, kTimeout);
    f.host_ms = ms_since(t);
    const fs::path console = hosted_console(*hosted);
    EXPECT_TRUE(eventually([&] { return last_beat(console) >= at_out + 8; }, seconds(60)))
        << read_text(console);
    const std::vector<std::byte> back = hosted->stop_and_save(kTimeout);
    f.back_bytes = back.size();
    fetcher.stop();
    const FetchStats s = fetcher.stats();
    f.fetched = s.pages_fetched();
    const auto samples = fetcher.latency_samples();
    f.fault_p50 = percentile(samples, 0.5);
    f.fault_p90 = percentile(samples, 0.9);
    // The pages the guest dirtied here go back into the desktop's RAM file.
    const std::vector<std::uint64_t> dirty = fetcher.dirty_pages();
    f.dirty = dirty.size();
    {
      UniqueFd ram(::open(desktop.ram_file().c_str(), O_WRONLY | O_CLOEXEC));
      EXPECT_TRUE(ram);
      std::vector<std::byte> page(4096);
      for (const std::uint64_t p : dirty) {
        hosted->region().read_resident(p, page);
        EXPECT_EQ(::pwrite(ram.get(), page.data(), page.size(), static_cast<off_t>(p * 4096)), 4096);
      }
    }
    hosted->discard();

    t = Clock::now();
    desktop.migrate_in(back, kTimeout);
    f.back_ms = ms_since(t);
    const std::uint64_t at_back = last_beat(console);
    EXPECT_TRUE(eventually([&] { return last_beat(desktop_console) >= at_back + 3; }, seconds(60)))
        << read_text(desktop_console);
    EXPECT_EQ(continuity({desktop_console, console}), "");

    // Device state only; pages on demand; some dirtied (the worker writes 2 pages a second).
    EXPECT_LT(f.out_bytes, kRam / 100);
    EXPECT_GT(f.fetched, 10u);
    EXPECT_LT(f.fetched, kPages / 20);
    EXPECT_GT(f.dirty, 5u);
    return f;
  }

  static void print(const char* backend, const Figures& f) {
    std::printf(
        "[ figures  ] %-7s out %zu B in %.0f ms; hosted start %.0f ms; %llu pages fetched (fault p50 %.2f "
        "ms, "
        "p90 %.2f ms); %llu dirty; state back %zu B, in again %.0f ms\n",
        backend, f.out_bytes, f.out_ms, f.host_ms, static_cast<unsigned long long>(f.fetched),
        std::chrono::duration<double, std::milli>(f.fault_p50).count(),
        std::chrono::duration<double, std::milli>(f.fault_p90).count(),
        static_cast<unsigned long long>(f.dirty), f.back_bytes, f.back_ms);
  }

  std::string guest_, tag_;
  fs::path dir_;
  std::vector<fs::path> ram_files_;
  std::vector<pid_t> qemu_pids_;
  std::unique_ptr<testing::PrivateLibvirtd> daemon_;
};

TEST_F(LibvirtE2e, PartialMigrationThereAndBackUnderQemuAndUnderLibvirt) {
  // Plain QEMU first: the baseline of the same run.
  Figures qemu;
  {
    QemuDesktopVmConfig c;
    c.guest = guest("q");
    c.guest.serial_log = dir_ / "q" / "serial.log";
    c.run_dir = dir_ / "q";
    QemuDesktopVm desktop(c);
    QemuHostConfig h;
    h.run_dir = dir_ / "q-srv";
    h.handoff_library = handoff_library();
    qemu = round_trip(
        desktop, c.guest.serial_log,
        [&](std::span<const std::byte> s) { return std::make_unique<QemuHostedVm>(1, s, h); },
        [&](HostedVm&) { return h.run_dir / "q-epoch-1" / "serial.log"; });
  }
  Figures lv;
  {
    LibvirtDesktopVmConfig c;
    c.uri = daemon_->uri();
    c.guest = guest(fmt::format("l{}", suffix()));
    c.run_dir = dir_ / "l";
    LibvirtDesktopVm desktop(c);
    qemu_pids_.push_back(daemon_->qemu_pid(c.guest.name));
    EXPECT_EQ(desktop.run_state(), "running");  // through virDomainQemuMonitorCommand
    LibvirtHostConfig h;
    h.uri = daemon_->uri();
    h.run_dir = dir_ / "l-srv";
    h.handoff_library = handoff_library();
    lv = round_trip(
        desktop, dir_ / "l" / "serial.log",
        [&](std::span<const std::byte> s) {
          auto vm = std::make_unique<LibvirtHostedVm>(1, s, h);
          qemu_pids_.push_back(daemon_->qemu_pid(vm->domain().name()));
          return vm;
        },
        [&](HostedVm& vm) { return static_cast<LibvirtHostedVm&>(vm).serial_log(); });
    qemu_pids_.push_back(daemon_->qemu_pid(c.guest.name));  // the instance that took the VM back
    EXPECT_TRUE(desktop.running());
    LibvirtConnection conn(daemon_->uri());
    EXPECT_TRUE(conn.find(c.guest.name));
    desktop.shutdown();
    EXPECT_FALSE(conn.find(c.guest.name)) << "the domain is undefined at shutdown";
  }
  print("qemu", qemu);
  print("libvirt", lv);
  for (pid_t pid : qemu_pids_) EXPECT_GT(pid, 0);
}

TEST_F(LibvirtE2e, AdoptionNeedsSharedMemoryAndTakesOverOurOwnDomain) {
  LibvirtConnection conn(daemon_->uri());
  // A domain as a lab might have defined it: plain private RAM.
  const std::string name = fmt::format("plain{}", suffix());
  LibvirtDomain plain = conn.define(
      fmt::format("<domain type='qemu'><name>{}</name><memory unit='MiB'>64</memory><os><type arch='x86_64' "
                  "machine='pc'>hvm</type></os></domain>",
                  name));
  LibvirtDesktopVmConfig c;
  c.uri = daemon_->uri();
  c.guest = guest(name);
  c.run_dir = dir_ / "plain";
  try {
    (void)LibvirtDesktopVm::adopt(c);
    ADD_FAILURE() << "a domain without shared memory was adopted";
  } catch (const VmError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(name), std::string::npos) << what;
    EXPECT_NE(what.find("<access mode='shared'/>"), std::string::npos) << what;
    EXPECT_NE(what.find("<memoryBacking>"), std::string::npos) << what;
  }
  plain.undefine();

  // Our own domain, left running by one agent (detach), is adopted by the next and moves out.
  LibvirtDesktopVmConfig ours;
  ours.uri = daemon_->uri();
  ours.guest = guest(fmt::format("a{}", suffix()));
  ours.run_dir = dir_ / "a";
  {
    LibvirtDesktopVm first(ours);
    qemu_pids_.push_back(daemon_->qemu_pid(ours.guest.name));
    ASSERT_TRUE(eventually([&] { return heartbeats(dir_ / "a" / "serial.log").size() >= 2; }, seconds(60)));
    first.detach();
  }
  LibvirtDesktopVmConfig by_name;
  by_name.uri = daemon_->uri();
  by_name.guest.name = ours.guest.name;
  by_name.run_dir = dir_ / "a";
  auto adopted = LibvirtDesktopVm::adopt(by_name);
  EXPECT_TRUE(adopted->running());
  EXPECT_EQ(adopted->ram_file(), ours.guest.ram_file);
  EXPECT_EQ(adopted->ram_bytes(), kRam);
  const auto state = adopted->migrate_out(kTimeout);
  EXPECT_LT(state.size(), kRam / 100);
  EXPECT_FALSE(adopted->running());
  adopted->resume_here(kTimeout);
  EXPECT_TRUE(adopted->running());
  adopted->shutdown();
  EXPECT_FALSE(conn.find(ours.guest.name));
}

}  // namespace
}  // namespace jettison::emu
