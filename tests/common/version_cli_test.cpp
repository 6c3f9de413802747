// `--version` of every executable: "NAME VERSION (REV)" on stdout, exit code 0, from the one shared
// implementation (common/version/version.hpp); and the revision script's fallbacks outside a checkout.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "common/version/version.hpp"
#include "tests/common/version_executables.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::testing {
namespace {

namespace fs = std::filesystem;

struct Ran {
  int exit_code = -1;
  std::string out;
};

Ran run(const std::string& command, const fs::path& dir) {
  const fs::path out = dir / "stdout";
  const int status = std::system((command + " >'" + out.string() + "' 2>/dev/null").c_str());
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ss.str()};
}

TEST(Version, EveryExecutablePrintsNameVersionAndRevisionAndExitsZero) {
  TempDir dir;
  ASSERT_GE(std::size(kVersionExecutables), 9U);  // sim, trace, bench and the emulator's six at least
  for (const VersionExecutable& exe : kVersionExecutables) {
    const Ran r = run(std::string("'") + exe.path + "' --version", dir.path());
    EXPECT_EQ(r.exit_code, 0) << exe.name;
    // e.g. "jettison-sim 0.1.0 (f4d7071ab2c3-dirty)\n". Not compared with this test's own
    // version_line(): an executable rebuilt after a commit, without this test, has a newer revision.
    EXPECT_TRUE(std::regex_match(
        r.out, std::regex(std::string(exe.name) + " " +
                          std::regex_replace(JETTISON_EXPECTED_VERSION, std::regex("\\."), "\\.") +
                          " \\(([0-9A-Za-z._-]+|no git revision)\\)\n")))
        << exe.name << ": " << r.out;
  }
  EXPECT_EQ(version_line("jettison-x"),
            std::string("jettison-x " JETTISON_EXPECTED_VERSION " (") + std::string(build_revision()) + ")");
}

TEST(Version, RevisionIsGitDescribeOrTheFallback) {
  const std::string rev(build_revision());
  EXPECT_TRUE(std::regex_match(rev, std::regex("[0-9a-zA-Z._-]+"))) << rev;
  if (fs::exists(fs::path(JETTISON_SOURCE_DIR) / ".git")) {
    EXPECT_NE(rev, "no git revision");  // built from a checkout: a git revision
  }
}

// common/version/revision.cmake run by hand: outside a checkout it writes "no git revision"; a given
// JETTISON_REVISION wins.
std::string revision_header(const fs::path& source, const std::string& given, const fs::path& dir) {
  const fs::path out = dir / "build_revision.hpp";
  const std::string cmd = std::string("'") + JETTISON_CMAKE_COMMAND + "' -DSOURCE_DIR='" + source.string() +
                          "' -DOUT='" + out.string() + "' -DREVISION='" + given + "' -P '" +
                          JETTISON_SOURCE_DIR + "/common/version/revision.cmake'";
  EXPECT_EQ(run(cmd, dir).exit_code, 0) << cmd;
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Version, RevisionScriptFallsBackOutsideACheckoutAndTakesAGivenRevision) {
  TempDir dir;
  const fs::path unpacked = dir.path() / "jettison-0.1.0";  // a source archive: no .git
  fs::create_directories(unpacked);
  EXPECT_NE(revision_header(unpacked, "", dir.path()).find("kBuildRevision = \"no git revision\";"),
            std::string::npos);
  EXPECT_NE(
      revision_header(unpacked, "debian-0.1.0-1", dir.path()).find("kBuildRevision = \"debian-0.1.0-1\";"),
      std::string::npos);
}

}  // namespace
}  // namespace jettison::testing
