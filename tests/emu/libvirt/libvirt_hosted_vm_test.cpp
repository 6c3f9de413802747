// What the libvirt backend says when QEMU under libvirt (running as qemu.conf's user) could not create
// its userfaultfd: the three ways to allow it, and the hand-off library's own line.
#include "emu/vm/libvirt_hosted_vm.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace jettison::emu {
namespace {

class HandoffLog : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "jettison-handoff-log-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::filesystem::path dir_;
};

TEST_F(HandoffLog, NoUserfaultfdNamesTheThreeWaysToAllowIt) {
  const auto log = dir_ / "handoff.log";
  std::ofstream(log)
      << "jettison-uffd-handoff[42]: loaded\n"
         "jettison-uffd-handoff[42]: cannot create a userfaultfd: userfaultfd(2): Operation not "
         "permitted (1); /dev/userfaultfd: Permission denied (13)\n";
  const std::string why = explain_handoff_log(log);
  EXPECT_NE(why.find("vm.unprivileged_userfaultfd=1"), std::string::npos) << why;
  EXPECT_NE(why.find("/dev/userfaultfd"), std::string::npos) << why;
  EXPECT_NE(why.find("user = \"root\""), std::string::npos) << why;
  EXPECT_NE(why.find("Operation not permitted"), std::string::npos) << why;  // the library's own line
  EXPECT_EQ(why.find("loaded"), std::string::npos) << why;                   // not the ordinary lines
}

TEST_F(HandoffLog, AQuietOrMissingLogExplainsNothing) {
  std::ofstream(dir_ / "quiet.log") << "jettison-uffd-handoff[42]: loaded\n";
  EXPECT_EQ(explain_handoff_log(dir_ / "quiet.log"), "");
  EXPECT_EQ(explain_handoff_log(dir_ / "missing.log"), "");
}

}  // namespace
}  // namespace jettison::emu
