// The desktop's VM under QEMU: guest RAM in a shared-memory file the agent owns (and serves), QMP on
// a UNIX socket in the run folder, KVM where usable, TCG otherwise. migrate_out() saves the device
// state (x-ignore-shared) and leaves the guest paused; migrate_in() starts a fresh QEMU over the
// same RAM file with -incoming defer, loads the server's device state and runs it (the old, paused
// instance is stopped first: two QEMUs never run over one RAM file).
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
  // The instance serving the VM now (tests read its QMP).
  QemuProcess& process() { return *qemu_; }

 private:
  void launch(Incoming incoming);

  QemuDesktopVmConfig config_;
  std::unique_ptr<QemuProcess> qemu_;
  unsigned instances_ = 0;
  bool paused_ = false;
};

}  // namespace jettison::emu
