// Two network namespaces joined by a veth pair: "desktop" (10.x.y.1/30) and "server" (10.x.y.2/30),
// both links and loopback up. Everything is removed by the destructor, and by the constructor itself
// when it fails half-way. Header-only and without gtest, so that benchmarks can use it too
// (bench/emu_fault_bench.cpp); tests include netns.hpp, which adds the NetnsTest fixture.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace jettison::testing {

class NetnsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CommandResult {
  int status = -1;     // exit status, or -1 if it did not exit normally
  std::string output;  // stdout and stderr together
};

// Runs `command` through /bin/sh and returns its exit status and output.
inline CommandResult run_shell(const std::string& command) {
  CommandResult r;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  char buf[512];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) r.output.append(buf, n);
  const int status = ::pclose(pipe);
  r.status = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  return r;
}

// 'text' quoted for /bin/sh.
inline std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Why namespace tests cannot run here, or nullopt if they can.
inline std::optional<std::string> netns_unavailable_reason() {
  if (::geteuid() != 0) return "needs root to create network namespaces and veth pairs";
  if (run_shell("ip -V").status != 0) return "iproute2 ('ip') is not installed";
  // A child tries to enter a new network namespace: containers without CAP_SYS_ADMIN refuse.
  const pid_t pid = ::fork();
  if (pid < 0) return std::string("fork: ") + std::strerror(errno);
  if (pid == 0) ::_exit(::unshare(CLONE_NEWNET) == 0 ? 0 : 1);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return "network namespaces are not available (unshare failed)";
  return std::nullopt;
}

class NetnsPair {
 public:
  struct Side {
    std::string ns;       // namespace name, also /var/run/netns/<ns>
    std::string ifname;   // its end of the veth pair
    std::string address;  // IPv4 address on that end (prefix /30)
  };

  // Throws NetnsError with the failing command's output; removes whatever it created first.
  NetnsPair() {
    static std::atomic<int> counter{0};
    const int n = counter++;
    const int pid = static_cast<int>(::getpid());
    remove_stale();
    const std::string base = "jt-" + std::to_string(pid) + "-" + std::to_string(n);
    const std::string net =
        "10." + std::to_string(100 + pid % 100) + "." + std::to_string((n * 4) % 256) + ".";
    desktop_ = {base + "-d", "jtd0", net + "1"};
    server_ = {base + "-s", "jts0", net + "2"};
    try {
      run("ip netns add " + desktop_.ns);
      created_.push_back(desktop_.ns);
      run("ip netns add " + server_.ns);
      created_.push_back(server_.ns);
      run("ip link add " + desktop_.ifname + " netns " + desktop_.ns + " type veth peer name " +
          server_.ifname + " netns " + server_.ns);
      for (const Side* s : {&desktop_, &server_}) {
        run("ip -n " + s->ns + " addr add " + s->address + "/30 broadcast + dev " + s->ifname);
        run("ip -n " + s->ns + " link set lo up");
        run("ip -n " + s->ns + " link set " + s->ifname + " up");
      }
    } catch (...) {
      remove();
      throw;
    }
  }
  ~NetnsPair() { remove(); }
  NetnsPair(const NetnsPair&) = delete;
  NetnsPair& operator=(const NetnsPair&) = delete;

  const Side& desktop() const { return desktop_; }
  const Side& server() const { return server_; }
  std::vector<std::string> names() const { return {desktop_.ns, server_.ns}; }

  // Runs `fn` in a fresh thread that has joined namespace `ns` (setns), and returns its result or
  // rethrows its exception. Sockets opened by `fn` stay in `ns` whichever thread uses them later.
  template <class F>
  static auto run_in(const std::string& ns, F&& fn) -> std::invoke_result_t<F&> {
    using R = std::invoke_result_t<F&>;
    std::exception_ptr error;
    std::optional<std::conditional_t<std::is_void_v<R>, int, R>> result;
    std::thread t([&] {
      try {
        const std::string path = "/var/run/netns/" + ns;
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw NetnsError(path + ": " + std::strerror(errno));
        const int rc = ::setns(fd, CLONE_NEWNET);
        const int err = errno;
        ::close(fd);
        if (rc != 0) throw NetnsError("setns(" + ns + "): " + std::strerror(err));
        if constexpr (std::is_void_v<R>) {
          fn();
          result.emplace(0);
        } else {
          result.emplace(fn());
        }
      } catch (...) {
        error = std::current_exception();
      }
    });
    t.join();
    if (error) std::rethrow_exception(error);
    if constexpr (!std::is_void_v<R>) return std::move(*result);
  }

  // Runs a shell command inside `ns` (ip netns exec).
  static CommandResult exec(const std::string& ns, const std::string& command) {
    return run_shell("ip netns exec " + ns + " sh -c " + shell_quote(command));
  }

  // Brings one end of the veth pair down or up (link-failure tests).
  void set_link(const Side& side, bool up) const {
    run("ip -n " + side.ns + " link set " + side.ifname + (up ? " up" : " down"));
  }

  // The namespaces `ip netns list` shows now.
  static std::vector<std::string> list_namespaces() {
    std::vector<std::string> out;
    std::istringstream in(run_shell("ip netns list").output);
    for (std::string line; std::getline(in, line);) {
      const std::string name = line.substr(0, line.find(' '));
      if (!name.empty()) out.push_back(name);
    }
    return out;
  }

 private:
  static void run(const std::string& command) {
    const CommandResult r = run_shell(command);
    if (r.status != 0) throw NetnsError("'" + command + "' failed: " + r.output);
  }

  void remove() noexcept {
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) run_shell("ip netns del " + *it);
    created_.clear();
  }

  // Removes jt-<pid>-* namespaces left by test processes that died before their destructors ran.
  static void remove_stale() {
    for (const std::string& name : list_namespaces()) {
      if (name.rfind("jt-", 0) != 0) continue;
      const std::string pid = name.substr(3, name.find('-', 3) - 3);
      if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
      if (!std::filesystem::exists("/proc/" + pid)) run_shell("ip netns del " + name);
    }
  }

  Side desktop_;
  Side server_;
  std::vector<std::string> created_;
};

}  // namespace jettison::testing
