// Spawning, watching and stopping one QEMU process.
#include "emu/vm/qemu_process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <thread>

#include "emu/vm/qemu_error.hpp"

extern char** environ;

namespace jettison::emu {
namespace {

using Clock = std::chrono::steady_clock;
constexpr Duration kExitGrace = Duration::seconds(2);

std::string describe_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  return fmt::format("wait status {}", status);
}

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view entry(*e);
    const auto key = entry.substr(0, entry.find('='));
    if (!extra.contains(std::string(key))) env.emplace_back(entry);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Raises `err` as a QemuError naming `what` unless it is 0.
void check_spawn(int err, std::string_view what, const std::filesystem::path& binary) {
  if (err != 0) throw QemuError(fmt::format("{}: {}: {}", binary.string(), what, std::strerror(err)));
}

}  // namespace

QemuProcess QemuProcess::start(const QemuVmSpec& spec, const std::filesystem::path& log,
                               std::map<std::string, std::string> env) {
  return QemuProcess(QemuLaunch{find_qemu(), qemu_argv(spec), log, spec.qmp_socket, std::move(env)});
}

QemuProcess::QemuProcess(QemuLaunch launch) : launch_(std::move(launch)) {
  if (launch_.binary.empty()) launch_.binary = find_qemu();
  if (launch_.log.empty()) throw QemuError(fmt::format("{}: no log file given", launch_.binary.string()));
  if (!launch_.qmp_socket.empty() && std::filesystem::is_socket(launch_.qmp_socket))
    std::filesystem::remove(launch_.qmp_socket);  // a stale socket left by a killed QEMU

  std::vector<std::string> argv_strings{launch_.binary.string()};
  argv_strings.insert(argv_strings.end(), launch_.args.begin(), launch_.args.end());
  std::vector<std::string> env_strings = merged_environment(launch_.env);
  auto argv = c_strings(argv_strings);
  auto envp = c_strings(env_strings);

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  check_spawn(posix_spawn_file_actions_init(&actions), "posix_spawn_file_actions_init", launch_.binary);
  check_spawn(posix_spawnattr_init(&attr), "posix_spawnattr_init", launch_.binary);
  int err = posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (!err)
    err = posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, launch_.log.c_str(),
                                           O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (!err) err = posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  // Its own process group (so signals reach helpers it forks), default signal dispositions and an
  // empty signal mask whatever this process has set up.
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&defaults, sig);
  if (!err)
    err = posix_spawnattr_setflags(&attr,
                                   POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  if (!err) err = posix_spawnattr_setpgroup(&attr, 0);
  if (!err) err = posix_spawnattr_setsigmask(&attr, &none);
  if (!err) err = posix_spawnattr_setsigdefault(&attr, &defaults);
  if (!err) err = posix_spawn(&pid_, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err) {
    pid_ = -1;
    check_spawn(err, "cannot start it (log " + launch_.log.string() + ")", launch_.binary);
  }

  pidfd_ = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
  spdlog::debug("started {} as pid {} (log {})", launch_.binary.string(), pid_, launch_.log.string());
}

QemuProcess QemuProcess::adopt(pid_t pid, const std::filesystem::path& qmp_socket,
                               const std::filesystem::path& log) {
  if (pid <= 0) throw QemuError(fmt::format("no QEMU to adopt: pid {}", pid));
  QemuProcess p;
  p.pidfd_ = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!p.pidfd_)
    throw QemuError(fmt::format("QEMU pid {}: {}", pid, errno == ESRCH ? "is gone" : std::strerror(errno)));
  const auto proc = std::filesystem::path("/proc") / std::to_string(pid);
  std::ifstream in(proc / "cmdline", std::ios::binary);
  const std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (cmdline.empty()) throw QemuError(fmt::format("QEMU pid {} is gone (it has exited)", pid));
  if (cmdline.find(qmp_socket.string()) == std::string::npos)
    throw QemuError(fmt::format("pid {} is not the QEMU of {} (its command line does not name that socket)",
                                pid, qmp_socket.string()));
  std::error_code ec;
  p.launch_.binary = std::filesystem::read_symlink(proc / "exe", ec);
  if (ec) p.launch_.binary = "qemu-system-x86_64";
  p.launch_.log = log;
  p.launch_.qmp_socket = qmp_socket;
  p.pid_ = pid;
  p.adopted_ = true;
  if (!p.running()) throw QemuError(fmt::format("QEMU pid {} is gone", pid));
  spdlog::debug("adopted {} pid {} (QMP {})", p.launch_.binary.string(), pid, qmp_socket.string());
  return p;
}

void QemuProcess::release() {
  qmp_.reset();
  pid_ = -1;
  pidfd_ = UniqueFd();
}

QemuProcess::QemuProcess(QemuProcess&& o) noexcept
    : launch_(std::move(o.launch_)),
      pid_(std::exchange(o.pid_, -1)),
      adopted_(o.adopted_),
      pidfd_(std::move(o.pidfd_)),
      status_(o.status_),
      qmp_(std::move(o.qmp_)) {
  o.qmp_.reset();
}

QemuProcess::~QemuProcess() {
  if (pid_ <= 0) return;
  qmp_.reset();
  reap_if_exited();
  if (!status_ && adopted_) {
    kill_group(SIGKILL);
    wait_exit(Duration::seconds(10));
  } else if (!status_) {
    kill_group(SIGKILL);
    int st = 0;
    while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
    }
    status_ = st;
  }
  cleanup_socket();
}

QmpClient& QemuProcess::wait_for_qmp(Duration timeout) {
  if (qmp_) return *qmp_;
  const auto failed = [&](const std::string& what) {
    return QemuError(fmt::format("{}: {}; the last lines of its log {}:\n{}", launch_.binary.string(), what,
                                 launch_.log.string(), log_tail()));
  };
  const auto exited_check = [&] {
    if (!running()) throw failed(fmt::format("exited during start ({})", describe_status(*status_)));
  };
  try {
    qmp_.emplace(QmpClient::connect(launch_.qmp_socket, timeout, exited_check));
  } catch (const QmpError& e) {
    // QEMU opens its QMP socket before it checks devices: a refused start can close a connection
    // just made. Give an exiting QEMU a moment to be reaped so the error says what happened.
    if (wait_exit(kExitGrace))
      throw failed(fmt::format("exited during start ({})", describe_status(*status_)));
    throw failed(e.what());
  }
  return *qmp_;
}

QmpClient& QemuProcess::qmp() {
  if (!qmp_)
    throw QemuError(fmt::format("{} (pid {}): QMP not connected yet", launch_.binary.string(), pid_));
  return *qmp_;
}

bool QemuProcess::running() {
  reap_if_exited();
  return pid_ > 0 && !status_;
}

void QemuProcess::reap_if_exited() {
  if (pid_ <= 0 || status_) return;
  if (adopted_) {  // not our child: its pidfd turns readable when it ends
    pollfd pfd{pidfd_.get(), POLLIN, 0};
    if (pidfd_ && ::poll(&pfd, 1, 0) > 0) {
      status_ = 0;
      spdlog::debug("{} (pid {}, adopted) ended", launch_.binary.string(), pid_);
    }
    return;
  }
  int st = 0;
  pid_t r;
  do r = ::waitpid(pid_, &st, WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r == pid_) {
    status_ = st;
    spdlog::debug("{} (pid {}) ended: {}", launch_.binary.string(), pid_, describe_status(st));
  }
}

bool QemuProcess::wait_exit(Duration timeout) {
  const auto deadline = Clock::now() + std::chrono::microseconds(timeout.us());
  for (;;) {
    if (!running()) return true;
    const auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) return false;
    const auto ms = std::min<std::int64_t>(std::chrono::ceil<std::chrono::milliseconds>(left).count(), 50);
    if (pidfd_) {
      pollfd pfd{pidfd_.get(), POLLIN, 0};
      ::poll(&pfd, 1, static_cast<int>(ms));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<std::int64_t>(ms, 10)));
    }
  }
}

int QemuProcess::quit(Duration timeout) {
  if (running() && qmp_) {
    try {
      qmp_->execute("quit", nlohmann::json::object(), timeout);
    } catch (const QmpError& e) {
      spdlog::debug("{} (pid {}): quit: {}", launch_.binary.string(), pid_, e.what());  // it may close first
    }
    wait_exit(timeout);
  }
  qmp_.reset();
  for (int sig : {SIGTERM, SIGKILL}) {
    if (!running()) break;
    spdlog::warn("{} (pid {}) still running: sending {}", launch_.binary.string(), pid_, strsignal(sig));
    kill_group(sig);
    wait_exit(sig == SIGKILL ? max(timeout, Duration::seconds(10)) : timeout);
  }
  if (running())
    throw QemuError(fmt::format("{} (pid {}) survived SIGKILL; its log {} ends with:\n{}",
                                launch_.binary.string(), pid_, launch_.log.string(), log_tail()));
  cleanup_socket();
  return status_.value_or(0);
}

void QemuProcess::kill_group(int sig) {
  if (pid_ > 0 && !status_ && ::kill(-pid_, sig) < 0) ::kill(pid_, sig);
}

void QemuProcess::cleanup_socket() {
  std::error_code ec;
  if (!launch_.qmp_socket.empty() && std::filesystem::is_socket(launch_.qmp_socket, ec))
    std::filesystem::remove(launch_.qmp_socket, ec);
}

std::string QemuProcess::log_tail(std::size_t lines) const {
  constexpr std::streamoff kWindow = 64 * 1024;
  std::ifstream in(launch_.log, std::ios::binary);
  if (!in) return "(no log)";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(std::max<std::streamoff>(0, size - kWindow));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) return "(empty log)";
  // Walk back over `lines` newlines; keep what follows the last one found (or everything).
  std::size_t cut = std::string::npos;
  for (std::size_t n = 0, search = text.size(); n < lines && search > 0; ++n) {
    const auto nl = text.rfind('\n', search - 1);
    if (nl == std::string::npos) {
      cut = std::string::npos;
      break;
    }
    cut = search = nl;
  }
  return cut == std::string::npos ? text : text.substr(cut + 1);
}

}  // namespace jettison::emu
