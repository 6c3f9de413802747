// jettison-sim under `mpirun -np 2` on this machine (shared memory and loopback only), as root if
// need be: a sweep spread over two ranks writes the same files as a one-process sweep, byte for byte
// but for wall times; a rank that fails or dies ends the job with a message naming it and nothing
// written: no output folder, no staging folder beside it, no scratch folder left by a live rank.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>

#include "tests/support/csv_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::testing {
namespace {

namespace fs = std::filesystem;

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A 2x2 grid on the embedded default scenario with 3 desktops: four quick points.
const char* kGrid =
    "--set desktops.count=3 --grid policy.sleep.timeout=10s,2min "
    "--grid 'strategies=[sleep-only,partial],[always-on,full,partial]' --threads 1";

class MpiRun : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(tmp()); }

  // $TMPDIR of the ranks: their scratch folders go there.
  fs::path tmp() const { return dir_.path() / "tmp"; }

  CliResult sim(const std::string& args, const std::string& env = "") {
    return shell(env + " '" + JETTISON_SIM_BINARY + "' " + args);
  }
  // `mpirun -np <ranks> jettison-sim <args>`: allowed as root, ranks on cores or not, and no
  // network but loopback (shared memory between the ranks, loopback to the launcher).
  CliResult mpirun(int ranks, const std::string& args, const std::string& env = "") {
    return shell(env + " OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 TMPDIR='" +
                 tmp().string() + "' '" + JETTISON_MPIRUN + "' -np " + std::to_string(ranks) +
                 " --oversubscribe --mca btl self,vader --mca oob_tcp_if_include lo '" + JETTISON_SIM_BINARY +
                 "' " + args);
  }
  CliResult shell(const std::string& command) {
    const fs::path out = dir_.path() / "cli.stdout";
    const fs::path err = dir_.path() / "cli.stderr";
    const std::string cmd = "cd '" + dir_.path().string() + "' && " + command + " >'" + out.string() +
                            "' 2>'" + err.string() + "'";
    const int status = std::system(cmd.c_str());
    CliResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }
  // Names in the test folder and in the ranks' $TMPDIR other than the expected ones: leftovers.
  std::vector<std::string> leftovers(const std::vector<std::string>& expected) const {
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(dir_.path())) {
      const std::string name = e.path().filename().string();
      if (name != "tmp" && name != "cli.stdout" && name != "cli.stderr" &&
          std::find(expected.begin(), expected.end(), name) == expected.end())
        found.push_back(name);
    }
    for (const auto& e : fs::directory_iterator(tmp())) {
      const std::string name = e.path().filename().string();
      if (name.rfind("jettison-rank", 0) == 0) found.push_back("tmp/" + name);
    }
    return found;
  }

  TempDir dir_;
};

// Every file under `root`, by relative path: its bytes, but in .json files without the lines that
// hold wall times or the number of ranks (the only figures a sweep over ranks may change).
std::map<std::string, std::string> tree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::string text = slurp(e.path());
    if (e.path().extension() == ".json") {
      std::istringstream in(text);
      std::string line, kept;
      while (std::getline(in, line)) {
        if (line.find("\"wall_seconds\":") == std::string::npos &&
            line.find("\"ranks\":") == std::string::npos)
          kept += line + '\n';
      }
      text = kept;
    }
    files[e.path().lexically_relative(root).generic_string()] = text;
  }
  return files;
}

TEST_F(MpiRun, SweepOverTwoRanksWritesTheOneProcessBytes) {
  const CliResult one = sim(std::string("sweep ") + kGrid + " --out one");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const CliResult two = mpirun(2, std::string("sweep ") + kGrid + " --out two");
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_NE(two.out.find("sweep: 4 points, 10 rows"), std::string::npos) << two.out;
  EXPECT_NE(two.out.find("2 MPI ranks"), std::string::npos) << two.out;

  const auto a = tree(dir_.path() / "one");
  const auto b = tree(dir_.path() / "two");
  // 4 points x (summary.json, periods.csv, desktops.csv, ...) + sweep.csv + sweep.json.
  ASSERT_GE(a.size(), 4U * 5U + 2U);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, bytes] : a) {
    ASSERT_TRUE(b.count(name)) << name << " missing from the sweep over two ranks";
    EXPECT_TRUE(bytes == b.at(name)) << name << " differs";
  }
  EXPECT_NE(slurp(dir_.path() / "two" / "sweep.json").find("\"ranks\": 2"), std::string::npos);
  EXPECT_EQ(leftovers({"one", "two"}), std::vector<std::string>{});
}

TEST_F(MpiRun, FailingRankEndsTheSweepNamingItWithNothingWritten) {
  for (const int rank : {1, 0}) {
    const CliResult r = mpirun(2, std::string("sweep ") + kGrid + " --out out",
                               "JETTISON_TEST_FAIL_RANK=" + std::to_string(rank));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("rank " + std::to_string(rank) + " failed: JETTISON_TEST_FAIL_RANK"),
              std::string::npos)
        << r.err;
    EXPECT_FALSE(fs::exists(dir_.path() / "out"));
    EXPECT_EQ(leftovers({}), std::vector<std::string>{}) << "rank " << rank;
  }
}

TEST_F(MpiRun, KilledRankEndsTheSweepWithNoOutputAndItsScratchGoesNextTime) {
  const CliResult r = mpirun(2, std::string("sweep ") + kGrid + " --out out", "JETTISON_TEST_KILL_RANK=1");
  EXPECT_NE(r.exit_code, 0) << r.err;
  // mpirun names the rank that died; rank 0, ended by the launcher, removes its staging folder.
  EXPECT_NE(r.err.find("rank 1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("rank 0: ended by SIGTERM"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "out"));
  // Only the killed rank's scratch folder is left, and the next sweep removes it.
  const auto left = leftovers({});
  ASSERT_EQ(left.size(), 1U);
  EXPECT_EQ(left[0].rfind("tmp/jettison-rank1-", 0), 0U) << left[0];
  const CliResult again = mpirun(2, std::string("sweep ") + kGrid + " --out out");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(leftovers({"out"}), std::vector<std::string>{});
}

TEST_F(MpiRun, BadInputStopsEveryRankBeforeAnythingRuns) {
  const CliResult r = mpirun(2, std::string("sweep ") + kGrid + " --set no_such_key=1 --out out");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  // Reported once, by rank 0.
  const std::string message = "--set no_such_key: unknown key";
  const auto first = r.err.find(message);
  ASSERT_NE(first, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(message, first + 1), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "out"));
  EXPECT_EQ(leftovers({}), std::vector<std::string>{});
}

}  // namespace
}  // namespace jettison::testing
