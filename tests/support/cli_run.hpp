// Runs a shell command from a test's folder and keeps what a user would see: the exit code and the
// two streams (written to cli.stdout and cli.stderr in that folder).
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/support/csv_file.hpp"

namespace jettison::testing {

struct CliResult {
  int exit_code = -1;  // -1 when the command did not exit normally
  std::string out;
  std::string err;
};

inline CliResult run_in(const std::filesystem::path& dir, const std::string& command) {
  const std::filesystem::path out = dir / "cli.stdout";
  const std::filesystem::path err = dir / "cli.stderr";
  const std::string cmd =
      "cd '" + dir.string() + "' && " + command + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

}  // namespace jettison::testing
