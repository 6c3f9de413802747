// One running qemu-system-x86_64: spawned in its own process group with extra environment
// (LD_PRELOAD, JETTISON_* variables), stdout and stderr to a log file, watched through a pidfd;
// its QMP connection; a stop that asks politely first (QMP quit, then SIGTERM, then SIGKILL).
// Errors name the binary and quote the last lines of QEMU's log.
//
// QEMU outlives the process that started it (no parent-death signal, its own process group): a
// restarted agent adopt()s the QEMU an earlier one left running, and an agent that leaves its VM
// behind on purpose release()s it.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/time.hpp"
#include "emu/sys/unique_fd.hpp"
#include "emu/vm/qemu_command.hpp"
#include "emu/vm/qmp_client.hpp"

namespace jettison::emu {

struct QemuLaunch {
  std::filesystem::path binary;  // empty: find_qemu()
  std::vector<std::string> args;
  std::filesystem::path log;               // QEMU's stdout and stderr (appended)
  std::filesystem::path qmp_socket;        // removed once QEMU is gone
  std::map<std::string, std::string> env;  // added to (or replacing in) this process's environment
};

class QemuProcess {
 public:
  // Spawns QEMU for `spec` (argv from qemu_argv(spec)); QemuError if it cannot be started.
  static QemuProcess start(const QemuVmSpec& spec, const std::filesystem::path& log,
                           std::map<std::string, std::string> env = {});
  explicit QemuProcess(QemuLaunch launch);
  // Takes over a QEMU this process did not start: `pid` must be alive and its command line must name
  // `qmp_socket` (a recycled pid is refused); QemuError naming the pid otherwise. It is not our child:
  // its end is seen through a pidfd and its wait status is unknown (reported as 0).
  static QemuProcess adopt(pid_t pid, const std::filesystem::path& qmp_socket,
                           const std::filesystem::path& log);
  ~QemuProcess();  // kills (SIGKILL to the group) what is still alive, reaps it, removes the QMP socket
  QemuProcess(QemuProcess&&) noexcept;
  QemuProcess& operator=(QemuProcess&&) = delete;
  QemuProcess(const QemuProcess&) = delete;
  QemuProcess& operator=(const QemuProcess&) = delete;

  // Connects to QEMU's QMP socket within `timeout` and keeps the connection (see qmp()). Fails early,
  // with the log's last lines, when QEMU exits first.
  QmpClient& wait_for_qmp(Duration timeout);
  // The connection made by wait_for_qmp (QemuError before it).
  QmpClient& qmp();

  bool running();
  pid_t pid() const { return pid_; }
  // The raw wait status once QEMU has exited and been reaped.
  std::optional<int> wait_status() const { return status_; }
  // Waits up to `timeout` for QEMU to exit by itself; true when it has.
  bool wait_exit(Duration timeout);
  // Stops QEMU: QMP quit (when connected), then SIGTERM, then SIGKILL to its process group, each given
  // `timeout` to take effect. Returns the wait status.
  int quit(Duration timeout);

  // Lets QEMU run on without this object: the QMP connection closes, nothing is signalled, and the
  // destructor leaves the process alone.
  void release();
  bool adopted() const { return adopted_; }

  const std::filesystem::path& binary() const { return launch_.binary; }
  const std::filesystem::path& log() const { return launch_.log; }
  // The last `lines` lines of QEMU's log, for error messages.
  std::string log_tail(std::size_t lines = 12) const;

 private:
  void reap_if_exited();
  void kill_group(int sig);
  void cleanup_socket();

  QemuProcess() = default;

  QemuLaunch launch_;
  pid_t pid_ = -1;
  bool adopted_ = false;
  UniqueFd pidfd_;
  std::optional<int> status_;
  std::optional<QmpClient> qmp_;
};

}  // namespace jettison::emu
