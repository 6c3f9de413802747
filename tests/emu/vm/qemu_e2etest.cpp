// Real QEMUs (firmware only, no guest kernel, 64 MiB of shared RAM in /dev/shm, TCG or KVM): an
// x-ignore-shared migration moves only device state and ROM blocks, a plain pre-copy and a post-copy
// of the same guest move more, bad commands and a QEMU that cannot start raise typed errors. Every
// process, socket, log and RAM file the test makes is removed, on failure too. Skips when
// qemu-system-x86_64 is not installed.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "emu/vm/qemu_command.hpp"
#include "emu/vm/qemu_error.hpp"
#include "emu/vm/qemu_migration.hpp"
#include "emu/vm/qemu_process.hpp"

namespace jettison::emu {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kRam = std::uint64_t{64} << 20;
constexpr Duration kStart = Duration::seconds(60);  // a loaded 2-core machine under TCG is slow
constexpr Duration kMigrate = Duration::seconds(120);

// A scratch folder for sockets and logs, and the /dev/shm RAM files named after it; both go away
// with it (declared before the processes, so they are killed first).
class Scratch {
 public:
  Scratch() {
    std::string tmpl = (fs::temp_directory_path() / "jettison-qemu-e2e-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    for (const auto& f : ram_files_) fs::remove(f, ec);
    fs::remove_all(dir_, ec);
  }
  fs::path file(const std::string& name) const { return dir_ / name; }
  fs::path ram(const std::string& name) {
    ram_files_.push_back(fs::path("/dev/shm") / (dir_.filename().string() + "-" + name + ".ram"));
    return ram_files_.back();
  }

 private:
  fs::path dir_;
  std::vector<fs::path> ram_files_;
};

class QemuE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      find_qemu();
    } catch (const QemuError& e) {
      GTEST_SKIP() << e.what();
    }
    if (!fs::is_directory("/dev/shm")) GTEST_SKIP() << "no /dev/shm for shared guest RAM";
  }

  QemuVmSpec spec(const std::string& name, const fs::path& ram, Incoming incoming) {
    QemuVmSpec s;
    s.name = name;
    s.ram_bytes = kRam;
    s.ram_file = ram;
    s.serial_log = scratch_.file(name + ".serial");
    s.qmp_socket = scratch_.file(name + ".qmp");
    s.incoming = incoming;
    return s;
  }

  // Starts a QEMU and connects to its QMP socket.
  QemuProcess& launch(const QemuVmSpec& s) {
    vms_.push_back(std::make_unique<QemuProcess>(QemuProcess::start(s, scratch_.file(s.name + ".log"))));
    vms_.back()->wait_for_qmp(kStart);
    return *vms_.back();
  }

  std::string uri(const std::string& name) const { return "unix:" + scratch_.file(name).string(); }

  Scratch scratch_;
  std::vector<std::unique_ptr<QemuProcess>> vms_;
};

TEST_F(QemuE2e, IgnoreSharedMovesOnlyDeviceStateWhereCopiesMoveRam) {
  const fs::path ram_a = scratch_.ram("a");
  QemuProcess& a = launch(spec("a", ram_a, Incoming::kNone));
  wait_running(a.qmp(), kStart);
  QemuProcess& b = launch(spec("b", ram_a, Incoming::kDefer));  // the same RAM file
  EXPECT_EQ(query_status(b.qmp()), "inmigrate");

  const MigrationResult partial = ignore_shared(a.qmp(), b.qmp(), uri("ab.mig"), kMigrate);
  ASSERT_TRUE(partial.completed()) << partial.status << ": " << partial.error_desc;
  // Device state and the firmware/ROM blocks only (~0.4 MB here): far below 5% of 64 MiB (3.36 MB).
  EXPECT_GT(partial.transferred_bytes, 0u);
  EXPECT_LT(partial.transferred_bytes, kRam / 20);
  EXPECT_EQ(query_status(b.qmp()), "running");
  EXPECT_EQ(query_status(a.qmp()), "postmigrate");

  // Pre-copy of the same guest onward to a QEMU with RAM of its own: every RAM page travels (as data,
  // or as a zero-page marker: the firmware-only guest's RAM is mostly zeros), so more bytes move.
  QemuProcess& c = launch(spec("c", scratch_.ram("c"), Incoming::kDefer));
  const MigrationResult full = precopy(b.qmp(), c.qmp(), uri("bc.mig"), kMigrate);
  ASSERT_TRUE(full.completed()) << full.status << ": " << full.error_desc;
  EXPECT_GT(full.transferred_bytes, partial.transferred_bytes);
  // ram.total counts the RAM blocks that travel: with x-ignore-shared only the ROM blocks, without it
  // the guest RAM too.
  EXPECT_LT(partial.ram_total_bytes, kRam / 20);
  EXPECT_GE(full.ram_total_bytes, kRam);
  EXPECT_GE(full.normal_pages + full.duplicate_pages, kRam / 4096);  // each of 16,384 guest pages once
  EXPECT_EQ(query_status(c.qmp()), "running");

  // Post-copy onward again: it too moves the whole RAM, then the destination runs.
  QemuProcess& d = launch(spec("d", scratch_.ram("d"), Incoming::kDefer));
  const MigrationResult post = postcopy(c.qmp(), d.qmp(), uri("cd.mig"), kMigrate);
  ASSERT_TRUE(post.completed()) << post.status << ": " << post.error_desc;
  EXPECT_GT(post.transferred_bytes, partial.transferred_bytes);
  EXPECT_EQ(query_status(d.qmp()), "running");
  std::printf(
      "[ figures  ] x-ignore-shared %llu B in %lld ms (downtime %lld ms); pre-copy %llu B in %lld ms; "
      "post-copy %llu B in %lld ms\n",
      static_cast<unsigned long long>(partial.transferred_bytes),
      static_cast<long long>(partial.total_time_ms), static_cast<long long>(partial.downtime_ms),
      static_cast<unsigned long long>(full.transferred_bytes), static_cast<long long>(full.total_time_ms),
      static_cast<unsigned long long>(post.transferred_bytes), static_cast<long long>(post.total_time_ms));

  // The migrated-away source can run again (status postmigrate -> cont -> running).
  a.qmp().execute("cont");
  wait_running(a.qmp(), kStart);
}

// A guest with two RAM blocks (two NUMA nodes, two shared files): x-ignore-shared skips both.
TEST_F(QemuE2e, IgnoreSharedSkipsEveryRamBlockOfAMultiNodeGuest) {
  const fs::path low = scratch_.ram("h-low"), high = scratch_.ram("h-high");
  auto src = spec("h", low, Incoming::kNone);
  src.extra_ram = {{"ram-high", kRam, high}};
  auto dst = spec("i", low, Incoming::kDefer);
  dst.extra_ram = src.extra_ram;
  QemuProcess& h = launch(src);
  wait_running(h.qmp(), kStart);
  QemuProcess& i = launch(dst);
  const MigrationResult r = ignore_shared(h.qmp(), i.qmp(), uri("hi.mig"), kMigrate);
  ASSERT_TRUE(r.completed()) << r.status << ": " << r.error_desc;
  EXPECT_LT(r.transferred_bytes, 2 * kRam / 20);  // below 5% of the guest's 128 MiB
  EXPECT_EQ(query_status(i.qmp()), "running");
}

TEST_F(QemuE2e, BadCommandsAreCommandErrorsAndQuitEndsQemu) {
  const fs::path qmp_socket = scratch_.file("e.qmp");
  QemuProcess& e = launch(spec("e", scratch_.ram("e"), Incoming::kNone));
  try {
    e.qmp().execute("no-such-command");
    FAIL() << "QEMU accepted an unknown command";
  } catch (const QmpCommandError& err) {
    EXPECT_EQ(err.command(), "no-such-command");
    EXPECT_EQ(err.error_class(), "CommandNotFound");
  }
  // A QEMU not started with -incoming cannot take an incoming migration.
  EXPECT_THROW(migrate_incoming(e.qmp(), uri("never.mig")), QmpCommandError);
  EXPECT_TRUE(e.running());

  const int status = e.quit(Duration::seconds(20));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status;
  EXPECT_FALSE(e.running());
  EXPECT_FALSE(fs::exists(qmp_socket));
}

TEST_F(QemuE2e, AQemuThatCannotStartFailsQuotingItsLog) {
  auto s = spec("f", scratch_.ram("f"), Incoming::kNone);
  s.extra_args = {"-device", "jettison-no-such-device"};
  auto qemu = QemuProcess::start(s, scratch_.file("f.log"));
  try {
    qemu.wait_for_qmp(kStart);
    FAIL() << "QEMU started with a device that does not exist";
  } catch (const QemuError& err) {
    const std::string what = err.what();
    EXPECT_NE(what.find("qemu-system-x86_64"), std::string::npos) << what;
    EXPECT_NE(what.find("exited during start"), std::string::npos) << what;
    EXPECT_NE(what.find("jettison-no-such-device"), std::string::npos) << what;  // QEMU's own complaint
  }
  EXPECT_FALSE(qemu.running());
}

TEST_F(QemuE2e, DestructorKillsARunningQemu) {
  pid_t pid = 0;
  {
    QemuProcess& g = launch(spec("g", scratch_.ram("g"), Incoming::kNone));
    pid = g.pid();
    ASSERT_GT(pid, 0);
    vms_.clear();
  }
  // Reaped by the destructor: the pid is no longer our child.
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  EXPECT_FALSE(fs::exists(scratch_.file("g.qmp")));
}

}  // namespace
}  // namespace jettison::emu
