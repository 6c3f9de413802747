// What the tests of jettison-sim under `mpirun -np 2` share: running it (as root if need be, on
// shared memory and loopback only), the files of an output folder, and what a failed job left.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cli_run.hpp"
#include "tests/support/csv_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::testing {

namespace fs = std::filesystem;

// Every file under `root`, by relative path: its bytes, but in .json files without the lines that
// hold wall times or the number of ranks (the only figures a sweep over ranks may change).
inline std::map<std::string, std::string> tree(const fs::path& root) {
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
  CliResult shell(const std::string& command) { return run_in(dir_.path(), command); }
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

  // The output folders `a` and `b` hold the same files (tree(): wall times and ranks aside), byte
  // for byte, `a` at least `at_least` of them.
  void expect_same_files(const std::string& a, const std::string& b, std::size_t at_least) {
    const auto one = tree(dir_.path() / a);
    const auto two = tree(dir_.path() / b);
    ASSERT_GE(one.size(), at_least);
    ASSERT_EQ(one.size(), two.size());
    for (const auto& [name, bytes] : one) {
      ASSERT_TRUE(two.count(name)) << name << " missing from " << b;
      EXPECT_TRUE(bytes == two.at(name)) << name << " differs";
    }
  }
  // `args --out out` under mpirun -np 2 with rank 1, then rank 0, told to fail: exit 1 with a
  // message naming the rank, no output folder, nothing left behind.
  void expect_failing_rank_named_and_nothing_written(const std::string& args) {
    for (const int rank : {1, 0}) {
      const CliResult r = mpirun(2, args + " --out out", "JETTISON_TEST_FAIL_RANK=" + std::to_string(rank));
      EXPECT_EQ(r.exit_code, 1) << r.err;
      EXPECT_NE(r.err.find("rank " + std::to_string(rank) + " failed: JETTISON_TEST_FAIL_RANK"),
                std::string::npos)
          << r.err;
      EXPECT_FALSE(fs::exists(dir_.path() / "out"));
      EXPECT_EQ(leftovers({}), std::vector<std::string>{}) << "rank " << rank;
    }
  }
  // `args --out out` under mpirun -np 2 with rank 1 killed: a failed job that names rank 1 (mpirun
  // does), rank 0 ended by the launcher, and no output folder.
  void expect_killed_rank_ends_the_job(const std::string& args) {
    const CliResult r = mpirun(2, args + " --out out", "JETTISON_TEST_KILL_RANK=1");
    EXPECT_NE(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("rank 1"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("rank 0: ended by SIGTERM"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_.path() / "out"));
  }

  TempDir dir_;
};

}  // namespace jettison::testing
