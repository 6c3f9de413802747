// Running jettison-trace from a test: in a temporary folder, capturing exit code, stdout and stderr;
// and checks that a failed command left no file (nor a hidden temporary) behind.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace jettison::testing {

struct TraceCliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string slurp_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class TraceCli {
 public:
  // Runs `jettison-trace <args>` (args shell-quoted where needed) in the temp folder, or in `cwd`.
  TraceCliResult run(const std::string& args, const std::string& cwd = "") const {
    const auto out = dir.path() / ".cli.stdout";
    const auto err = dir.path() / ".cli.stderr";
    const std::string where = cwd.empty() ? dir.path().string() : cwd;
    const std::string cmd = "cd '" + where + "' && '" + JETTISON_TRACE_BINARY + "' " + args + " >'" +
                            out.string() + "' 2>'" + err.string() + "'";
    const int status = std::system(cmd.c_str());
    TraceCliResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp_file(out);
    r.err = slurp_file(err);
    std::filesystem::remove(out);
    std::filesystem::remove(err);
    return r;
  }
  std::string read(const std::string& name) const { return slurp_file(dir.path() / name); }
  bool exists(const std::string& name) const { return std::filesystem::exists(dir.path() / name); }
  // Files in the temp folder (hidden ones included), for "nothing was written" checks.
  std::size_t files() const {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path()))
      n += e.is_regular_file() ? 1 : 0;
    return n;
  }

  TempDir dir;
};

}  // namespace jettison::testing
