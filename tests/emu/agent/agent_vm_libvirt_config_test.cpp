// The desktop's VM as a libvirt domain in the agent's YAML: `vm.libvirt: URI` loads into the settings
// --vm-libvirt fills; a value that is no libvirt URI is an input error naming the key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/input_error.hpp"
#include "emu/agent/agent_config.hpp"
#include "tests/emu/memserver/test_image.hpp"

namespace jettison::emu {
namespace {

// An agent file with a VM (a stand-in kernel: the loader only checks it is a file) and `libvirt_line`.
std::string agent_yaml(const std::string& libvirt_line) {
  return "listen: 127.0.0.1:7171\n"
         "tls:\n  psk_file: psk.hex\n  psk_identity: desk-1\n"
         "power:\n  backend: real\n"
         "vm:\n  kernel: bzImage\n" +
         libvirt_line;
}

struct Folder {
  test::TempDir dir;
  Folder() {
    std::ofstream(dir.path() / "psk.hex") << std::string(64, 'a') << "\n";
    std::ofstream(dir.path() / "bzImage") << "x";
  }
};

TEST(AgentVmLibvirtConfig, TheUriLoads) {
  Folder f;
  const AgentFileConfig c = parse_agent_file(
      agent_yaml("  libvirt: qemu:///system?socket=/run/x/libvirt-sock\n"), "agent.yaml", f.dir.path());
  EXPECT_EQ(c.vm.libvirt, "qemu:///system?socket=/run/x/libvirt-sock");
  // Without the key the VM is a plain QEMU child.
  EXPECT_EQ(parse_agent_file(agent_yaml(""), "agent.yaml", f.dir.path()).vm.libvirt, "");
}

TEST(AgentVmLibvirtConfig, ANonUriIsAnErrorNamingTheKey) {
  Folder f;
  try {
    parse_agent_file(agent_yaml("  libvirt: system\n"), "agent.yaml", f.dir.path());
    ADD_FAILURE() << "'system' was taken as a libvirt URI";
  } catch (const InputError& e) {
    const std::string what = e.what();
    // Line 9: the key's line (listen 1, tls 2-4, power 5-6, vm 7, kernel 8).
    EXPECT_NE(what.find("agent.yaml:9"), std::string::npos) << what;
    EXPECT_NE(what.find("libvirt"), std::string::npos) << what;
    EXPECT_NE(what.find("'system' is not a libvirt URI"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace jettison::emu
