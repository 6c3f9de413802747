// A jettison tool (jettison-desktop, jettison-server, ...) as a child process inside a network
// namespace, its stdout and stderr appended to a log file; and reading such a log. Header-only, for
// the end-to-end tests.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace jettison::testing {

// A jettison tool (jettison-desktop, jettison-server, ...) as a child process, inside a network
// namespace (`ip netns exec`) or, with an empty `ns`, right here; its output appended to a log file.
// Killed (SIGKILL) and reaped by the destructor if still running.
class ChildProcess {
 public:
  ChildProcess(const std::string& ns, const std::string& tool, const std::vector<std::string>& args,
               const std::filesystem::path& log) {
    std::vector<std::string> argv_s;
    if (!ns.empty()) argv_s = {"ip", "netns", "exec", ns};
    argv_s.push_back(std::string(JETTISON_BIN_DIR) + "/" + tool);
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot open " + log.string());
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::execvp(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(fd);
    if (pid_ < 0) throw std::runtime_error("fork failed");
  }
  ~ChildProcess() { kill(SIGKILL); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Sends `sig` and reaps the process (bounded: SIGKILL after 20 s); its exit code, -1 if killed.
  int kill(int sig) {
    if (pid_ <= 0) return exit_code_;
    ::kill(pid_, sig);
    return wait(std::chrono::seconds(20)).value_or(-1);
  }
  // Waits up to `limit` for the process to end by itself: its exit code (-1: by a signal), or nullopt
  // when it had to be killed.
  std::optional<int> wait(std::chrono::seconds limit) {
    if (pid_ <= 0) return exit_code_;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      if (std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    exit_code_ = -1;
    return std::nullopt;
  }
  bool running() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace jettison::testing
