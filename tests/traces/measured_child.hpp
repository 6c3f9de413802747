// Running something in a child process and measuring its peak resident memory: the child's own
// ru_maxrss from wait4(), so other children of the test process (or other tests) never count. The
// child starts as a copy of the test process, whose own resident memory (a few MB) counts too: keep
// big buffers out of the test process before calling these.
#pragma once

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace jettison::testing {

struct MeasuredChild {
  int exit_code = -1;             // -1 when the child did not exit normally (a signal)
  std::uint64_t peak_rss_kb = 0;  // ru_maxrss of the child
  std::string out, err;           // what it wrote to stdout and stderr
};

namespace measured_detail {

inline std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Forks; the child redirects stdout and stderr to files in `dir` and runs `body`, whose return value
// is its exit code. The parent waits for it.
inline MeasuredChild run(const std::string& dir, const std::function<int()>& body) {
  const std::string out = dir + "/.child.stdout", err = dir + "/.child.stderr";
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (o < 0 || e < 0 || ::dup2(o, 1) < 0 || ::dup2(e, 2) < 0) ::_exit(127);
    int code = 126;
    try {
      code = body();
    } catch (...) {
    }
    std::fflush(nullptr);
    ::_exit(code);
  }
  MeasuredChild r;
  if (pid < 0) return r;
  int status = 0;
  struct rusage ru {};
  while (::wait4(pid, &status, 0, &ru) < 0) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.peak_rss_kb = static_cast<std::uint64_t>(ru.ru_maxrss);
  r.out = read_all(out);
  r.err = read_all(err);
  ::unlink(out.c_str());
  ::unlink(err.c_str());
  return r;
}

}  // namespace measured_detail

// Runs `body` in a forked child (its return value is the exit code; an exception exits with 126).
inline MeasuredChild run_measured(const std::string& dir, const std::function<int()>& body) {
  return measured_detail::run(dir, body);
}

// Runs the program `argv[0]` with `argv` in a child, in the folder `dir`.
inline MeasuredChild exec_measured(const std::string& dir, const std::vector<std::string>& argv) {
  return measured_detail::run(dir, [&] {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (::chdir(dir.c_str()) != 0) return 127;
    ::execv(args[0], args.data());
    return 127;
  });
}

}  // namespace jettison::testing
