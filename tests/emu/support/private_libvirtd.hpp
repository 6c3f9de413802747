// A libvirt daemon of the test's own: virtlogd and libvirtd started as this process's children in a
// private mount namespace whose /etc/libvirt, /run/libvirt, /var/lib/libvirt, /var/log/libvirt and
// /var/cache/libvirt are folders under one temporary folder (a privileged libvirtd's qemu driver has
// those paths compiled in: the namespace is what makes them private, and lets two tests run at once).
// Its qemu.conf runs QEMU as root (user/group), with no security driver, no /dev namespace and no
// ownership changes. Clients connect with uri() (qemu:///system?socket=<tmp>/run/libvirt-sock).
// The destructor stops both daemons by pid (SIGTERM, then SIGKILL), reaps them and removes the folder.
// Header-only, for the e2e tests. Needs root, unshare and nsenter (util-linux).
#pragma once

#include <fmt/format.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace jettison::testing {

class PrivateLibvirtd {
 public:
  PrivateLibvirtd() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "jettison-libvirt-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    for (const char* d : {"etc", "run", "lib", "log", "cache"}) std::filesystem::create_directories(dir_ / d);
    std::ofstream(dir_ / "etc" / "qemu.conf") << "user = \"root\"\ngroup = \"root\"\ndynamic_ownership = 0\n"
                                                 "security_driver = \"none\"\nnamespaces = [ ]\n";
    std::ofstream(dir_ / "etc" / "libvirtd.conf")
        << fmt::format("unix_sock_dir = \"{}\"\nauth_unix_rw = \"none\"\n", (dir_ / "run").string());
    std::ofstream(dir_ / "etc" / "virtlogd.conf") << "";
    const std::string d = dir_.string();
    try {
      start(d);
    } catch (...) {
      stop(libvirtd_);
      stop(virtlogd_);
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      throw;
    }
  }
  ~PrivateLibvirtd() {
    stop(libvirtd_);
    stop(virtlogd_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  PrivateLibvirtd(const PrivateLibvirtd&) = delete;
  PrivateLibvirtd& operator=(const PrivateLibvirtd&) = delete;

  std::string uri() const { return "qemu:///system?socket=" + (dir_ / "run" / "libvirt-sock").string(); }
  const std::filesystem::path& dir() const { return dir_; }
  pid_t libvirtd_pid() const { return libvirtd_; }
  pid_t virtlogd_pid() const { return virtlogd_; }
  // The pid libvirt recorded for domain `name`'s QEMU (-1 when none).
  pid_t qemu_pid(const std::string& name) const {
    std::ifstream in(dir_ / "run" / "qemu" / (name + ".pid"));
    pid_t pid = -1;
    in >> pid;
    return in ? pid : -1;
  }

 private:
  void start(const std::string& d) {
    const std::string mounts = fmt::format(
        "mkdir -p /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt && "
        "mount --bind {0}/etc /etc/libvirt && mount --bind {0}/run /run/libvirt && "
        "mount --bind {0}/lib /var/lib/libvirt && mount --bind {0}/log /var/log/libvirt && "
        "mount --bind {0}/cache /var/cache/libvirt && exec virtlogd --pid-file {0}/run/virtlogd.pid",
        d);
    virtlogd_ = spawn({"unshare", "--mount", "--propagation", "private", "sh", "-c", mounts});
    wait_for(dir_ / "run" / "virtlogd-sock", virtlogd_);
    // Pid files in our folder: the default ones are /run/virtlogd.pid and /run/libvirtd.pid, which
    // two tests running at once (ctest -j) would both try to lock.
    libvirtd_ = spawn({"nsenter", fmt::format("--mount=/proc/{}/ns/mnt", virtlogd_), "libvirtd", "-f",
                       (dir_ / "etc" / "libvirtd.conf").string(), "--pid-file",
                       (dir_ / "run" / "libvirtd.pid").string()});
    wait_for(dir_ / "run" / "libvirt-sock", libvirtd_);
  }
  static pid_t spawn(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::execvp(argv[0], argv.data());
      ::_exit(127);
    }
    if (pid < 0) throw std::runtime_error("fork failed");
    return pid;
  }
  void wait_for(const std::filesystem::path& socket, pid_t pid) {
    for (int i = 0; i < 300; ++i) {
      if (std::filesystem::exists(socket)) return;
      if (::waitpid(pid, nullptr, WNOHANG) == pid) {
        if (pid == libvirtd_) libvirtd_ = -1;
        if (pid == virtlogd_) virtlogd_ = -1;
        throw std::runtime_error("the private libvirt daemon exited before making " + socket.string());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("no " + socket.string() + " within 15 s");
  }
  static void stop(pid_t& pid) {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 200; ++i) {
      if (::waitpid(pid, nullptr, WNOHANG) == pid) {
        pid = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    pid = -1;
  }

  std::filesystem::path dir_;
  pid_t virtlogd_ = -1, libvirtd_ = -1;
};

}  // namespace jettison::testing
