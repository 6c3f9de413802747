// jettison-baseline end to end: the tiny guest (scripts/build-guest.sh --tiny, TCG here) migrated whole
// by pre-copy across a veth pair between two network namespaces, and by post-copy over a UNIX socket;
// each moves every RAM page (sent whole or as a zero-page marker), the heartbeat carries on at the
// destination counting up by one from 1, and nothing the tool made is left behind (QEMUs, RAM files
// in /dev/shm, its folder: the ones its report names, so two runs side by side do not see each other's).
// Bad flags exit 2 naming the flag. Skips when not root, without
// namespaces, without qemu-system-x86_64, or when jettison-baseline is not built.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/emu/support/netns.hpp"

namespace jettison::emu {
namespace {

namespace fs = std::filesystem;
using jettison::testing::NetnsTest;
using jettison::testing::run_shell;
using jettison::testing::shell_quote;

constexpr std::uint64_t kRam = std::uint64_t{128} << 20;

std::string baseline_binary() { return std::string(JETTISON_BIN_DIR) + "/jettison-baseline"; }

class BaselineCliE2e : public NetnsTest {
 protected:
  void SetUp() override {
    if (!fs::exists(baseline_binary()))
      GTEST_SKIP() << "jettison-baseline is not built in " << JETTISON_BIN_DIR;
    NetnsTest::SetUp();
    if (IsSkipped()) return;
    if (run_shell("command -v qemu-system-x86_64").status != 0)
      GTEST_SKIP() << "qemu-system-x86_64 is missing";
    const auto built =
        run_shell(std::string(JETTISON_SOURCE_DIR) + "/scripts/build-guest.sh --tiny 2>/dev/null");
    ASSERT_EQ(built.status, 0) << built.output;
    guest_ = built.output.substr(0, built.output.find('\n'));
  }

  // Runs jettison-baseline on the tiny guest with `extra` flags; its JSON report (stderr dropped).
  nlohmann::json run(const std::string& extra, int& status) {
    const auto r = run_shell(fmt::format(
        "{} --kernel {}/vmlinuz --initrd {}/initramfs.cpio.gz --append {} --ram {}MiB --json {} 2>/dev/null",
        baseline_binary(), guest_, guest_, shell_quote("console=ttyS0 quiet loglevel=1 panic=-1"), kRam >> 20,
        extra));
    status = r.status;
    return nlohmann::json::parse(r.output.substr(0, r.output.find('\n')));
  }

  // Every RAM page travelled, the heartbeat carried on, and nothing is left behind.
  void expect_whole_migration(const nlohmann::json& j) {
    EXPECT_EQ(j.at("status"), "completed") << j.dump();
    // Every guest page once, as data or as a zero-page marker: 128 MiB / 4 KiB = 32,768 pages.
    EXPECT_GE(j.at("normal_pages").get<std::uint64_t>() + j.at("zero_pages").get<std::uint64_t>(),
              kRam / 4096);
    EXPECT_GE(j.at("ram_total_bytes").get<std::uint64_t>(), kRam);
    // The pages sent whole are on the wire: at least 4 KiB each.
    EXPECT_GE(j.at("transferred_bytes").get<std::uint64_t>(),
              j.at("normal_pages").get<std::uint64_t>() * 4096);
    EXPECT_GT(j.at("normal_pages").get<std::uint64_t>(), 0u);  // the kernel and initramfs are not zeros
    EXPECT_GE(j.at("source_last_heartbeat").get<std::uint64_t>(), 1u);
    EXPECT_GE(j.at("destination_last_heartbeat").get<std::uint64_t>(),
              j.at("source_last_heartbeat").get<std::uint64_t>() + 2);
    EXPECT_TRUE(j.at("heartbeat_continued").get<bool>()) << j.dump();
    EXPECT_TRUE(j.at("heartbeat_continuous").get<bool>()) << j.dump();
    // The tool's own folder and its two RAM files (source, destination) are gone with it.
    const auto scratch = j.at("scratch_dir").get<std::string>();
    EXPECT_NE(scratch.find("jettison-baseline-"), std::string::npos) << scratch;
    EXPECT_FALSE(fs::exists(scratch)) << scratch;
    ASSERT_EQ(j.at("ram_files").size(), 2u) << j.dump();
    for (const auto& ram : j.at("ram_files")) {
      EXPECT_EQ(ram.get<std::string>().rfind("/dev/shm/", 0), 0u) << ram;
      EXPECT_FALSE(fs::exists(ram.get<std::string>())) << ram;
    }
  }

  std::string guest_;
};

TEST_F(BaselineCliE2e, PrecopyAcrossTheVethBetweenNamespaces) {
  int status = -1;
  const auto j = run(fmt::format("--mode precopy --src-netns {} --dst-netns {} --dst-ip {} --port 4455",
                                 pair().desktop().ns, pair().server().ns, pair().server().address),
                     status);
  EXPECT_EQ(status, 0) << j.dump();
  EXPECT_EQ(j.at("uri"), fmt::format("tcp:{}:4455", pair().server().address));
  EXPECT_EQ(j.at("postcopy_requests"), 0u);
  expect_whole_migration(j);
  // Both QEMUs ran in the namespaces and are gone with the tool.
  EXPECT_EQ(run_shell("ip netns pids " + pair().desktop().ns).output, "");
  EXPECT_EQ(run_shell("ip netns pids " + pair().server().ns).output, "");
}

TEST_F(BaselineCliE2e, PostcopyOverAUnixSocket) {
  int status = -1;
  const auto j = run("--mode postcopy", status);
  EXPECT_EQ(status, 0) << j.dump();
  EXPECT_EQ(j.at("uri").get<std::string>().rfind("unix:", 0), 0u) << j.dump();
  expect_whole_migration(j);
}

TEST(BaselineCliFlags, BadFlagsExitTwoNamingTheFlag) {
  if (!fs::exists(baseline_binary()))
    GTEST_SKIP() << "jettison-baseline is not built in " << JETTISON_BIN_DIR;
  const std::string bin = baseline_binary();
  auto r = run_shell(bin + " --mode sideways --kernel /dev/null");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--mode"), std::string::npos) << r.output;
  r = run_shell(bin + " --mode precopy --kernel /no/such/vmlinuz");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--kernel"), std::string::npos) << r.output;
  // A regular file stands in for the kernel: the namespace flags are checked before anything starts.
  const std::string kernel = std::string(JETTISON_SOURCE_DIR) + "/README.md";
  r = run_shell(bin + " --mode precopy --kernel " + kernel + " --src-netns a");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--src-netns, --dst-netns and --dst-ip go together"), std::string::npos)
      << r.output;
  r = run_shell(bin + " --mode precopy --kernel " + kernel + " --ram 100KiB");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--ram"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace jettison::emu
