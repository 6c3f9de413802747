// The desktop's VM in the agent's YAML (`vm:`): the keys load into the settings the --vm-* flags
// fill, relative paths resolve from the file's folder, the VM's RAM file is the image served, every
// mistake names file:line: key, and jettison-desktop's flags override single keys. No QEMU runs here:
// every CLI case stops at an input error before a VM would start.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/input_error.hpp"
#include "emu/agent/agent_config.hpp"
#include "tests/emu/memserver/test_image.hpp"
#include "tests/emu/support/netns_pair.hpp"

namespace jettison::emu {
namespace {

namespace fs = std::filesystem;

// A folder with a key, a stand-in kernel, initrd and disk (the loader only checks they are files).
struct VmDir {
  test::TempDir dir;
  VmDir() {
    std::ofstream(dir.path() / "psk.hex") << std::string(64, 'a') << "\n";
    fs::create_directories(dir.path() / "guest");
    for (const char* f : {"guest/bzImage", "guest/initrd.cpio.gz", "desk.raw"})
      std::ofstream(dir.path() / f) << "x";
  }
  AgentFileConfig parse(const std::string& text) const {
    return parse_agent_file(text, "agent.yaml", dir.path());
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

// Six lines: `vm:` after it is line 7, its first key line 8.
const std::string kHead =
    "listen: 127.0.0.1:7171\n"
    "tls:\n  psk_file: psk.hex\n  psk_identity: desk-1\n"
    "power:\n  backend: real\n";

TEST(AgentVmConfig, EveryKeyLoads) {
  VmDir d;
  const AgentFileConfig c = d.parse(kHead +
                                    "vm:\n"
                                    "  kernel: guest/bzImage\n"
                                    "  initrd: guest/initrd.cpio.gz\n"
                                    "  append: console=ttyS0 quiet\n"
                                    "  ram: 1GiB\n"
                                    "  cpus: 2\n"
                                    "  disk: desk.raw\n"
                                    "  name: desk1\n"
                                    "  dir: run/desk1\n"
                                    "  ram_file: /dev/shm/desk1.ram\n"
                                    "  accel: tcg\n");
  const DesktopVmSettings& vm = c.vm;
  ASSERT_TRUE(vm.enabled());
  // Relative paths from the file's folder (parse_agent_file's base_dir), absolute ones as given.
  EXPECT_EQ(vm.kernel, d.dir.path() / "guest/bzImage");
  EXPECT_EQ(vm.initrd, d.dir.path() / "guest/initrd.cpio.gz");
  EXPECT_EQ(vm.append, "console=ttyS0 quiet");
  EXPECT_EQ(vm.ram_bytes, std::uint64_t{1} << 30);  // 1 GiB = 1,073,741,824 B
  EXPECT_EQ(vm.cpus, 2u);
  EXPECT_EQ(vm.disk, d.dir.path() / "desk.raw");
  EXPECT_EQ(vm.name, "desk1");
  EXPECT_EQ(vm.run_dir(), d.dir.path() / "run/desk1");
  EXPECT_EQ(vm.ram_file_path(), fs::path("/dev/shm/desk1.ram"));
  EXPECT_EQ(vm.accel, Accel::kTcg);
  // The image served is the VM's RAM file; no `image` key needed.
  EXPECT_EQ(c.agent.server.image_path, fs::path("/dev/shm/desk1.ram"));
  EXPECT_NO_THROW(validate_agent_config(c.agent, "agent.yaml"));
}

TEST(AgentVmConfig, DefaultsFollowTheName) {
  VmDir d;
  const AgentFileConfig c = d.parse(kHead + "vm:\n  kernel: guest/bzImage\n  name: lab-7\n");
  EXPECT_EQ(c.vm.ram_bytes, std::uint64_t{512} << 20);  // the --vm-ram default, 512 MiB
  EXPECT_EQ(c.vm.cpus, 1u);
  EXPECT_EQ(c.vm.accel, Accel::kAuto);
  EXPECT_TRUE(c.vm.initrd.empty());
  EXPECT_TRUE(c.vm.disk.empty());
  EXPECT_EQ(c.vm.run_dir(), fs::path("/run/jettison/lab-7"));
  EXPECT_EQ(c.vm.ram_file_path(), fs::path("/dev/shm/jettison-lab-7.ram"));
  EXPECT_EQ(c.agent.server.image_path, fs::path("/dev/shm/jettison-lab-7.ram"));
  // Without the section: no VM, the image as given.
  const AgentFileConfig plain = d.parse("image: vm.ram\n" + kHead);
  EXPECT_FALSE(plain.vm.enabled());
  EXPECT_EQ(plain.agent.server.image_path, d.dir.path() / "vm.ram");
  // load_agent_config is the agent's part of the same file.
  std::ofstream(d.dir.path() / "agent.yaml") << kHead << "vm:\n  kernel: guest/bzImage\n";
  EXPECT_EQ(load_agent_config(d.dir.path() / "agent.yaml").server.image_path,
            fs::path("/dev/shm/jettison-desktop.ram"));
}

TEST(AgentVmConfig, MistakesNameLineAndKey) {
  VmDir d;
  auto has = [](const std::string& error, const std::string& part) {
    return error.find(part) != std::string::npos;
  };
  std::string e = d.error(kHead + "vm:\n  kernel: guest/bzImage\n  ram: 100MB\n");
  EXPECT_TRUE(has(e, "agent.yaml:9: vm.ram: '100MB' must be a positive whole number of MiB")) << e;
  e = d.error(kHead + "vm:\n  kernel: guest/bzImage\n  ram: lots\n");
  EXPECT_TRUE(has(e, "agent.yaml:9: vm.ram:")) << e;
  e = d.error(kHead + "vm:\n  kernel: guest/bzImage\n  cpus: 0\n");
  EXPECT_TRUE(has(e, "agent.yaml:9: vm.cpus: must be at least 1")) << e;
  e = d.error(kHead + "vm:\n  kernel: guest/bzImage\n  cpus: 300\n");
  EXPECT_TRUE(has(e, "agent.yaml:9: vm.cpus: '300' is not a whole number from 0 to 256")) << e;
  e = d.error(kHead + "vm:\n  kernel: guest/bzImage\n  accel: hvf\n");
  EXPECT_TRUE(has(e, "agent.yaml:9: vm.accel: 'hvf' is not auto, kvm or tcg")) << e;
  e = d.error(kHead + "vm:\n  kernel: guest/vmlinuz\n");
  EXPECT_TRUE(has(e, "agent.yaml:8: vm.kernel: '" + (d.dir.path() / "guest/vmlinuz").string() +
                         "' does not exist or is not a file"))
      << e;
  e = d.error(kHead + "vm:\n  kernel: guest\n");  // a folder
  EXPECT_TRUE(has(e, "agent.yaml:8: vm.kernel:")) << e;
  e = d.error(kHead + "vm:\n  kernel: guest/bzImage\n  name: a/b\n");
  EXPECT_TRUE(has(e, "agent.yaml:9: vm.name: 'a/b' is not a name")) << e;
  e = d.error(kHead + "vm:\n  kernel: guest/bzImage\n  memory: 1GiB\n");
  EXPECT_TRUE(has(e, "agent.yaml:9: vm.memory: unknown key")) << e;
  e = d.error(kHead + "vm:\n  initrd: guest/initrd.cpio.gz\n");
  EXPECT_TRUE(has(e, "agent.yaml:7: vm: missing key 'kernel'")) << e;
  e = d.error(kHead + "vm: guest/bzImage\n");
  EXPECT_TRUE(has(e, "agent.yaml:7: vm: expected a mapping")) << e;
  // `image` and `vm` both: the VM's RAM file is what is served.
  e = d.error("image: vm.ram\n" + kHead + "vm:\n  kernel: guest/bzImage\n");
  EXPECT_TRUE(has(e, "agent.yaml:1: image: not with 'vm'")) << e;
  e = d.error(kHead);
  EXPECT_TRUE(has(e, "missing key 'image'")) << e;
}

// jettison-desktop --config with a vm: section: flags override single keys. Each case fails before a
// VM starts, on the overriding flag's value, which shows the flag won over the file's key.
TEST(AgentVmConfig, FlagsOverrideKeys) {
  using testing::run_shell;
  VmDir d;
  std::ofstream(d.dir.path() / "agent.yaml") << kHead << "vm:\n  kernel: guest/bzImage\n  ram: 64MiB\n";
  const std::string exe = std::string(JETTISON_BIN_DIR) + "/jettison-desktop --config " +
                          (d.dir.path() / "agent.yaml").string() + " --run-for 1ms";
  // The file's kernel exists; the flag's does not.
  auto r = run_shell(exe + " --vm-kernel " + (d.dir.path() / "none").string());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--vm-kernel: '" + (d.dir.path() / "none").string() + "' does not exist"),
            std::string::npos)
      << r.output;
  r = run_shell(exe + " --vm-ram 100MB");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--vm-ram: '100MB' must be a positive whole number of MiB"), std::string::npos)
      << r.output;
  // The file's VM makes --image an error, as --vm-kernel does.
  r = run_shell(exe + " --image " + (d.dir.path() / "x.ram").string());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--image: not with a VM"), std::string::npos) << r.output;
  // Without a VM anywhere, a VM flag is refused.
  std::ofstream(d.dir.path() / "plain.yaml") << "image: vm.ram\n" << kHead;
  r = run_shell(std::string(JETTISON_BIN_DIR) + "/jettison-desktop --config " +
                (d.dir.path() / "plain.yaml").string() + " --vm-ram 1GiB --run-for 1ms");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--vm-ram: only with --vm-kernel or a vm: section"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace jettison::emu
