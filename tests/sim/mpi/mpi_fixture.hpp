// What the tests of jettison-sim under `mpirun -np 2` share: running it (as root if need be, on
// shared memory and loopback only), the files of an output folder, and what a failed job left.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/csv_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::testing {

namespace fs = std::filesystem;

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

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

}  // namespace jettison::testing
