// The desktop's VM under QEMU: guest RAM in a shared-memory file the agent owns (and serves), QMP on
// a UNIX socket in the run folder, KVM where usable, TCG otherwise. migrate_out() saves the device
// state (x-ignore-shared) and leaves the guest paused; migrate_in() starts a fresh QEMU over the
// same RAM file with -incoming defer, loads the server's device state and runs it (the old, paused
// instance is stopped first: two QEMUs never run over one RAM file).
//
// A restarted agent does not boot a second guest: adopt() takes over the QEMU an earlier agent left
// running (found by its pid and QMP socket in run_dir), and without_instance() holds a VM whose QEMU
// is gone as its RAM file only (migrate_in() with its saved device state brings it back).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "emu/vm/desktop_vm.hpp"
#include "emu/vm/qemu_command.hpp"
#include "emu/vm/qemu_process.hpp"

namespace jettison::emu {

struct QemuDesktopVmConfig {
  QemuVmSpec guest;               // name, RAM, vCPUs, kernel, initrd, append, accel, extra args
  std::filesystem::path run_dir;  // QMP and migration sockets, QEMU's log (any file system)
  Duration boot_timeout = Duration::seconds(30);  // QEMU up and its QMP answering
};

class QemuDesktopVm final : public DesktopVm {
 public:
  // Boots the guest: guest.ram_file must be on tmpfs (VmError otherwise, nothing started); it is
  // created at guest.ram_bytes. QemuError/VmError when QEMU cannot start.
  explicit QemuDesktopVm(QemuDesktopVmConfig config);
  // Adopts QEMU `pid` running this guest (QMP socket run_dir/qmp.sock) over the existing RAM file;
  // QemuError/VmError naming the pid (or the file) when it is gone, is not that QEMU or does not answer.
  static std::unique_ptr<QemuDesktopVm> adopt(QemuDesktopVmConfig config, int pid);
  // The VM with no QEMU: its existing RAM file (VmError naming it when missing or of another size).
  // migrate_in() starts a QEMU; migrate_out() and resume_here() are errors.
  static std::unique_ptr<QemuDesktopVm> without_instance(QemuDesktopVmConfig config);
  ~QemuDesktopVm() override;

  std::string_view backend() const override { return "qemu"; }
  std::uint64_t ram_bytes() const override { return config_.guest.ram_bytes; }
  const std::filesystem::path& ram_file() const override { return config_.guest.ram_file; }
  std::string description() const override;
  std::vector<std::byte> migrate_out(Duration timeout) override;
  void resume_here(Duration timeout) override;
  void migrate_in(std::span<const std::byte> state, Duration timeout) override;
  bool running() const override;
  void shutdown() override;
  void detach() override;
  VmInstance instance() const override;
  // QEMU's run state (query-status: running, paused, postmigrate, inmigrate, ...); VmError without QEMU.
  std::string run_state();
  // The instance serving the VM now (tests read its QMP).
  QemuProcess& process() { return *qemu_; }

 private:
  struct NoLaunch {};
  QemuDesktopVm(QemuDesktopVmConfig config, NoLaunch);
  void launch(Incoming incoming);

  QemuDesktopVmConfig config_;
  std::unique_ptr<QemuProcess> qemu_;
  unsigned instances_ = 0;
  bool paused_ = false;
};

}  // namespace jettison::emu
