// The QEMU command line for a spec: accelerator choice, shared RAM, incoming defer, firmware-only
// and kernel guests, multi-node RAM, refused specs; finding the binary on a PATH.
#include "emu/vm/qemu_command.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "emu/vm/qemu_error.hpp"

namespace jettison::emu {
namespace {

QemuVmSpec spec() {
  QemuVmSpec s;
  s.name = "desk1";
  s.ram_bytes = std::uint64_t{256} << 20;
  s.ram_file = "/dev/shm/desk1.ram";
  s.vcpus = 2;
  s.serial_log = "/tmp/desk1.serial";
  s.qmp_socket = "/tmp/desk1.qmp";
  return s;
}

// The value following `flag` (its first occurrence), or "" when the flag is absent.
std::string after(const std::vector<std::string>& argv, std::string_view flag) {
  auto it = std::find(argv.begin(), argv.end(), flag);
  return it == argv.end() || it + 1 == argv.end() ? "" : *(it + 1);
}

bool has(const std::vector<std::string>& argv, std::string_view arg) {
  return std::find(argv.begin(), argv.end(), arg) != argv.end();
}

TEST(QemuCommand, AutoPicksKvmOnlyWhenUsable) {
  EXPECT_EQ(chosen_accel(Accel::kAuto, true), "kvm");
  EXPECT_EQ(chosen_accel(Accel::kAuto, false), "tcg");
  EXPECT_EQ(chosen_accel(Accel::kTcg, true), "tcg");
  EXPECT_EQ(chosen_accel(Accel::kKvm, true), "kvm");
  EXPECT_THROW(chosen_accel(Accel::kKvm, false), QemuError);
}

// A /dev/kvm of the kvm_pvm flavour (seen on cloud VMs) answers the API version but runs only guests
// built for it: ours stopped with KVM internal errors. Only kvm_intel or kvm_amd makes KVM usable.
TEST(QemuCommand, KvmNeedsAHardwareKvmModule) {
  namespace fs = std::filesystem;
  const fs::path modules = fs::path(::testing::TempDir()) / ("kvm-modules-" + std::to_string(::getpid()));
  fs::remove_all(modules);
  fs::create_directories(modules / "kvm");
  fs::create_directories(modules / "kvm_pvm");
  EXPECT_FALSE(hardware_kvm_loaded(modules));
  fs::create_directories(modules / "kvm_amd");
  EXPECT_TRUE(hardware_kvm_loaded(modules));
  fs::remove(modules / "kvm_amd");
  fs::create_directories(modules / "kvm_intel");
  EXPECT_TRUE(hardware_kvm_loaded(modules));
  EXPECT_FALSE(hardware_kvm_loaded(modules / "missing"));
  fs::remove_all(modules);
}

TEST(QemuCommand, TcgAndKvmDifferOnlyInTheAccelerator) {
  const auto tcg = qemu_argv(spec(), "tcg");
  auto kvm = qemu_argv(spec(), "kvm");
  EXPECT_EQ(after(tcg, "-accel"), "tcg");
  EXPECT_EQ(after(kvm, "-accel"), "kvm");
  std::replace(kvm.begin(), kvm.end(), std::string("kvm"), std::string("tcg"));
  EXPECT_EQ(tcg, kvm);
}

TEST(QemuCommand, RamIsASharedFileBackingTheMachine) {
  const auto argv = qemu_argv(spec(), "tcg");
  EXPECT_EQ(after(argv, "-m"), "256M");
  EXPECT_EQ(after(argv, "-object"),
            "memory-backend-file,id=jettison-ram,size=256M,mem-path=/dev/shm/desk1.ram,share=on");
  EXPECT_EQ(after(argv, "-machine"), "pc,memory-backend=jettison-ram");
  EXPECT_FALSE(has(argv, "-numa"));

  auto memfd = spec();
  memfd.ram_file.clear();
  EXPECT_EQ(after(qemu_argv(memfd, "tcg"), "-object"),
            "memory-backend-memfd,id=jettison-ram,size=256M,share=on");
}

TEST(QemuCommand, NoDefaultDevicesNoDisplayNoNetworkSerialToAFileQmpOnASocket) {
  const auto argv = qemu_argv(spec(), "tcg");
  for (const char* flag : {"-nodefaults", "-no-reboot"}) EXPECT_TRUE(has(argv, flag)) << flag;
  EXPECT_EQ(after(argv, "-display"), "none");
  EXPECT_EQ(after(argv, "-vga"), "none");
  EXPECT_EQ(after(argv, "-nic"), "none");
  // Appended: a VM that comes back runs in a new QEMU over the same console log.
  EXPECT_EQ(after(argv, "-chardev"), "file,id=jettison-serial,append=on,path=/tmp/desk1.serial");
  EXPECT_EQ(after(argv, "-serial"), "chardev:jettison-serial");
  EXPECT_EQ(after(argv, "-qmp"), "unix:/tmp/desk1.qmp,server=on,wait=off");
  EXPECT_EQ(after(argv, "-smp"), "2");
  EXPECT_EQ(after(argv, "-name"), "desk1");
  EXPECT_FALSE(has(argv, "-incoming"));
  EXPECT_FALSE(has(argv, "-kernel"));  // firmware only
}

TEST(QemuCommand, IncomingDeferWaitsForMigrateIncoming) {
  auto s = spec();
  s.incoming = Incoming::kDefer;
  EXPECT_EQ(after(qemu_argv(s, "tcg"), "-incoming"), "defer");
}

TEST(QemuCommand, KernelGuestAndExtraArgumentsAtTheEnd) {
  auto s = spec();
  s.kernel = "/var/cache/jettison/vmlinuz";
  s.initrd = "/var/cache/jettison/initrd.img";
  s.append = "console=ttyS0 quiet";
  s.extra_args = {"-device", "virtio-rng-pci"};
  const auto argv = qemu_argv(s, "tcg");
  EXPECT_EQ(after(argv, "-kernel"), "/var/cache/jettison/vmlinuz");
  EXPECT_EQ(after(argv, "-initrd"), "/var/cache/jettison/initrd.img");
  EXPECT_EQ(after(argv, "-append"), "console=ttyS0 quiet");
  ASSERT_GE(argv.size(), 2u);
  EXPECT_EQ(argv[argv.size() - 2], "-device");
  EXPECT_EQ(argv.back(), "virtio-rng-pci");
}

TEST(QemuCommand, ExtraRamBlocksBecomeNumaNodes) {
  auto s = spec();
  s.extra_ram = {{"ram-hi", std::uint64_t{64} << 20, "/dev/shm/desk1-hi.ram"}};
  const auto argv = qemu_argv(s, "tcg");
  EXPECT_EQ(after(argv, "-m"), "320M");  // 256 MiB + 64 MiB
  EXPECT_EQ(after(argv, "-machine"), "pc");
  std::vector<std::string> numa;
  for (std::size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == "-numa") numa.push_back(argv[i + 1]);
  EXPECT_EQ(numa,
            (std::vector<std::string>{"node,nodeid=0,memdev=jettison-ram", "node,nodeid=1,memdev=ram-hi"}));
  EXPECT_TRUE(has(argv, "memory-backend-file,id=ram-hi,size=64M,mem-path=/dev/shm/desk1-hi.ram,share=on"));
}

TEST(QemuCommand, BadSpecsAreRefusedNamingTheField) {
  auto comma = spec();
  comma.ram_file = "/dev/shm/a,b.ram";
  try {
    qemu_argv(comma, "tcg");
    FAIL() << "accepted a comma";
  } catch (const QemuError& e) {
    EXPECT_NE(std::string(e.what()).find("RAM file"), std::string::npos) << e.what();
  }
  auto odd = spec();
  odd.ram_bytes = (std::uint64_t{64} << 20) + 4096;
  EXPECT_THROW(qemu_argv(odd, "tcg"), QemuError);
  auto no_qmp = spec();
  no_qmp.qmp_socket.clear();
  EXPECT_THROW(qemu_argv(no_qmp, "tcg"), QemuError);
  auto no_kernel = spec();
  no_kernel.append = "console=ttyS0";
  EXPECT_THROW(qemu_argv(no_kernel, "tcg"), QemuError);
}

TEST(QemuCommand, MissingBinarySaysHowToInstallIt) {
  try {
    find_qemu("/nonexistent-jettison-a:/nonexistent-jettison-b");
    FAIL() << "found a binary that does not exist";
  } catch (const QemuError& e) {
    EXPECT_EQ(
        std::string(e.what()),
        "qemu-system-x86_64 not found: install qemu-system-x86 (scripts/vm-demo.sh and scripts/test.sh do)");
  }
  EXPECT_THROW(find_qemu(nullptr), QemuError);
}

TEST(QemuCommand, FindsTheFirstExecutableOnThePath) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("jettison-find-qemu-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto fake = dir / "qemu-system-x86_64";
  std::ofstream(fake) << "#!/bin/sh\n";
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  const std::string path = "/nonexistent-jettison:" + dir.string();
  EXPECT_EQ(find_qemu(path.c_str()), fake);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace jettison::emu
