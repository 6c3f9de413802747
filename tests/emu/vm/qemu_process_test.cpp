// The QEMU process wrapper driven with /bin/sh standing in for QEMU: extra environment and its own
// process group, stdout/stderr into the log, an early exit reported with the log's last lines, and
// quit escalating to SIGKILL when SIGTERM is ignored.
#include "emu/vm/qemu_process.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "emu/vm/qemu_error.hpp"

namespace jettison::emu {
namespace {

namespace fs = std::filesystem;

class QemuProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "jettison-qemu-process-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  QemuLaunch shell(const std::string& script) {
    return QemuLaunch{"/bin/sh", {"-c", script}, dir_ / "qemu.log", dir_ / "qemu.qmp", {}};
  }
  std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  fs::path dir_;
};

TEST_F(QemuProcessTest, PassesExtraEnvironmentAndRunsInItsOwnGroup) {
  auto launch = shell("echo \"mark=$JETTISON_MARK preload=$LD_PRELOAD\"; echo oops >&2");
  launch.env = {{"JETTISON_MARK", "42"}, {"LD_PRELOAD", "/nonexistent/libjettison-none.so"}};
  QemuProcess p(std::move(launch));
  EXPECT_EQ(::getpgid(p.pid()), p.pid());
  ASSERT_TRUE(p.wait_exit(Duration::seconds(20)));
  ASSERT_TRUE(p.wait_status().has_value());
  EXPECT_TRUE(WIFEXITED(*p.wait_status()) && WEXITSTATUS(*p.wait_status()) == 0)
      << *p.wait_status() << read(dir_ / "qemu.log");
  const std::string log = read(dir_ / "qemu.log");
  EXPECT_NE(log.find("mark=42 preload=/nonexistent/libjettison-none.so"), std::string::npos) << log;
  EXPECT_NE(log.find("oops"), std::string::npos) << log;  // stderr lands in the log too
}

TEST_F(QemuProcessTest, ExitDuringStartQuotesTheLastLinesOfTheLog) {
  QemuProcess p(
      shell("for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do echo line$i; done; "
            "echo 'could not open disk' >&2; exit 3"));
  try {
    p.wait_for_qmp(Duration::seconds(20));
    FAIL() << "no error";
  } catch (const QemuError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("/bin/sh"), std::string::npos) << what;
    EXPECT_NE(what.find("exit status 3"), std::string::npos) << what;
    EXPECT_NE(what.find("could not open disk"), std::string::npos) << what;
    EXPECT_NE(what.find("line15"), std::string::npos) << what;
    EXPECT_EQ(what.find("line1\n"), std::string::npos) << what;  // only the last 12 lines are quoted
  }
  EXPECT_FALSE(p.running());
}

TEST_F(QemuProcessTest, QuitEscalatesToSigkillWhenSigtermIsIgnored) {
  QemuProcess p(shell("trap '' TERM; echo ready; while :; do sleep 1; done"));
  // Signals sent before the trap is set would kill it at once: wait for the shell to say it is set.
  for (int i = 0; i < 2000 && read(dir_ / "qemu.log").find("ready") == std::string::npos; ++i)
    ::usleep(10'000);
  ASSERT_TRUE(p.running());
  const int status = p.quit(Duration::millis(300));  // no QMP: straight to SIGTERM, then SIGKILL
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "wait status " << status;
  EXPECT_FALSE(p.running());
}

TEST_F(QemuProcessTest, QuitWithSigtermWhenItIsHonoured) {
  QemuProcess p(shell("while :; do sleep 1; done"));
  const int status = p.quit(Duration::seconds(20));
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << "wait status " << status;
}

TEST_F(QemuProcessTest, AMissingBinaryIsAnErrorNamingIt) {
  auto launch = shell("true");
  launch.binary = dir_ / "no-such-qemu";
  try {
    QemuProcess p(std::move(launch));
    FAIL() << "started a binary that does not exist";
  } catch (const QemuError& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-qemu"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace jettison::emu
