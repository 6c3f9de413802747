// AtomicFile (the trace tool's single output files): temporary files of the same target left by a
// process that is gone are removed by the next write, while a live process's temporary file and
// names of another form stay; the target appears only at commit and nothing else is left.
#include "traces/tool/atomic_file.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/dead_pid.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::traces {
namespace {

using jettison::testing::dead_pid;

namespace fs = std::filesystem;

TEST(AtomicFile, RemovesTemporaryFilesOfDeadProcessesOnly) {
  testing::TempDir dir;
  const pid_t gone = dead_pid();
  const std::string dead = fmt::format(".idle.csv.tmp-{}-0", gone);
  const std::string dead_retry = fmt::format(".idle.csv.tmp-{}-3", gone);
  const std::string live = fmt::format(".idle.csv.tmp-{}-0", ::getpid());
  const std::string other_target = fmt::format(".pages.csv.tmp-{}-0", gone);
  const std::string odd = fmt::format(".idle.csv.tmp-{}-x", gone);
  for (const auto& name : {dead, dead_retry, live, other_target, odd}) dir.write(name, "half");

  {
    AtomicFile file(dir.path() / "idle.csv");
    file.out() << "whole\n";
    EXPECT_FALSE(fs::exists(dir.path() / "idle.csv"));
    file.commit();
  }
  std::ifstream in(dir.path() / "idle.csv");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "whole\n");
  EXPECT_FALSE(fs::exists(dir.path() / dead));
  EXPECT_FALSE(fs::exists(dir.path() / dead_retry));
  EXPECT_TRUE(fs::exists(dir.path() / live));
  EXPECT_TRUE(fs::exists(dir.path() / other_target));
  EXPECT_TRUE(fs::exists(dir.path() / odd));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 4);
}

}  // namespace
}  // namespace jettison::traces
