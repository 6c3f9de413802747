#include "emu/power/power_actuator.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>

#include "emu/power/ethtool_wol.hpp"
#include "emu/power/power_error.hpp"
#include "emu/sys/unique_fd.hpp"

extern char** environ;

namespace jettison::emu {
namespace {

void write_file(const std::string& path, const std::string& value) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) throw sys_error(path, "open for writing");
  const ssize_t n = ::write(fd.get(), value.data(), value.size());
  if (n < 0) throw sys_error(path, "write '" + value + "'");
  if (static_cast<std::size_t>(n) != value.size())
    throw PowerError(path + ": short write of '" + value + "'");
}

void run_command(const std::string& program, const std::string& args) {
  std::vector<std::string> argv_s{program};
  std::istringstream in(args);
  for (std::string w; in >> w;) argv_s.push_back(w);
  std::vector<char*> argv;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, program.c_str(), nullptr, nullptr, argv.data(), environ);
  if (rc != 0) throw sys_error(program, "posix_spawnp", rc);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw sys_error(program, "waitpid");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw PowerError("'" + program + " " + args + "' failed (status " + std::to_string(status) + ")");
}

}  // namespace

std::string PowerAction::describe() const {
  switch (kind) {
    case Kind::kWriteFile:
      return "write '" + value + "' to " + target;
    case Kind::kEnableWol:
      return "ioctl SIOCETHTOOL ETHTOOL_GWOL, then ETHTOOL_SWOL wol " + value + (password ? "s" : "") +
             " on " + target;
    case Kind::kRunCommand:
      return "run " + target + (value.empty() ? "" : " " + value);
  }
  return "?";
}

void SystemActuator::perform(const PowerAction& action) {
  spdlog::info("power: {}", action.describe());
  switch (action.kind) {
    case PowerAction::Kind::kWriteFile:
      write_file(action.target, action.value);
      return;
    case PowerAction::Kind::kEnableWol:
      enable_magic_wol(action.target, action.password);
      return;
    case PowerAction::Kind::kRunCommand:
      run_command(action.target, action.value);
      return;
  }
}

}  // namespace jettison::emu
