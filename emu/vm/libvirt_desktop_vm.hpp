// The desktop's VM as a libvirt domain (libvirt_domain_xml.hpp): the same moves as the QEMU backend
// (qemu_desktop_vm.hpp), with libvirt owning QEMU's process. Guest RAM in the shared file the agent
// serves; the device state streams over the domain's own QMP monitor (x-ignore-shared: libvirt has no
// flag for it). migrate_out() leaves the domain paused; migrate_in() destroys it, redefines it with
// `-incoming defer` over the same RAM file, starts it paused, loads the server's device state and
// runs it. shutdown() destroys and undefines the domain; detach() leaves it to the next agent, which
// adopt()s it by name, or, when the domain is gone, holds the VM without_instance() (its RAM file; a
// migrate_in() defines and starts the domain again).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "emu/vm/desktop_vm.hpp"
#include "emu/vm/libvirt_connection.hpp"
#include "emu/vm/qemu_command.hpp"
#include "emu/vm/qmp_client.hpp"

namespace jettison::emu {

struct LibvirtDesktopVmConfig {
  std::string uri = "qemu:///system";  // the libvirt daemon's URI
  QemuVmSpec guest;                    // name (the domain's), RAM, vCPUs, kernel, ram_file, accel, ...
  std::filesystem::path run_dir;       // QMP and migration sockets, the serial log by default
  Duration boot_timeout = Duration::seconds(30);
};

class LibvirtDesktopVm final : public DesktopVm {
 public:
  // Defines and boots the domain; guest.ram_file must be on tmpfs. A domain of that name already
  // defined is an error naming it (adopt() it, or undefine it). VmError/LibvirtError on failure, the
  // domain removed again.
  explicit LibvirtDesktopVm(LibvirtDesktopVmConfig config);
  // Takes over the running domain `config.guest.name`: its XML must pass check_adoptable_domain()
  // (shared memory, RAM in a file); VmError naming the XML element to change otherwise.
  static std::unique_ptr<LibvirtDesktopVm> adopt(LibvirtDesktopVmConfig config);
  // The VM with no running domain: its existing RAM file (VmError naming it when missing or of another
  // size). A definition of that name left inactive (libvirtd restarted, QEMU killed) is ours only when
  // check_adoptable_domain() passes, and is then undefined; a running one is an error naming it.
  // migrate_in() defines and starts the domain; migrate_out() and resume_here() are errors.
  static std::unique_ptr<LibvirtDesktopVm> without_instance(LibvirtDesktopVmConfig config);
  ~LibvirtDesktopVm() override;

  std::string_view backend() const override { return "libvirt"; }
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
  VmDomainRef domain_ref() const override { return {config_.guest.name, conn_.uri()}; }
  const std::string& uri() const { return conn_.uri(); }
  // The run state as QEMU reports it, asked through libvirt's monitor passthrough.
  std::string run_state() const;
  LibvirtDomain& domain() { return domain_; }
  QmpClient& qmp();

 private:
  struct NoLaunch {};
  LibvirtDesktopVm(LibvirtDesktopVmConfig config, NoLaunch);
  void launch(Incoming incoming);
  void remove_domain();

  LibvirtDesktopVmConfig config_;
  LibvirtConnection conn_;
  LibvirtDomain domain_;
  std::optional<QmpClient> qmp_;
  bool paused_ = false;
};

}  // namespace jettison::emu
