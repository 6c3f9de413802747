// A migrated guest hosted on the consolidation server as a libvirt domain: what QemuHostedVm does
// (qemu_hosted_vm.hpp), with libvirt starting QEMU. The domain is defined from the description that
// travelled with the device state, with EMPTY RAM in a fresh tmpfs file, `-incoming defer`, and the
// hand-off library in QEMU's environment (<qemu:env> LD_PRELOAD and JETTISON_HANDOFF_*): it registers
// that RAM with userfaultfd inside QEMU and offers the uffd on a UNIX socket, which this backend adopts.
// The domain starts paused; start() loads the device state over its QMP monitor and runs it.
// discard() destroys and undefines the domain and removes its RAM file, on every path, except for a
// guest kept_for_adoption() (a failed fetcher; a killed server never gets there): its domain runs on,
// frozen in its faults, and hosted.json in its folder (epoch, domain, URI, RAM file, description) lets
// a restarted server adopt() it: the same domain, the same uffd (the hand-off library keeps it and
// offers it again), its QMP monitor.
//
// QEMU under libvirt runs as qemu.conf's `user` (libvirt-qemu on Debian), not as this server: it
// needs userfaultfd itself (vm.unprivileged_userfaultfd=1, or read-write access to /dev/userfaultfd for
// that user, or user = "root"), and read access to the hand-off library and write access to the run
// folder. When it cannot create its userfaultfd, the error says so and names these three ways.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "emu/vm/hosted_vm.hpp"
#include "emu/vm/libvirt_connection.hpp"
#include "emu/vm/qemu_command.hpp"
#include "emu/vm/qmp_client.hpp"

namespace jettison::emu {

struct LibvirtHostConfig {
  std::string uri = "qemu:///system";
  std::filesystem::path run_dir;               // one folder per epoch is made inside
  std::filesystem::path ram_dir = "/dev/shm";  // tmpfs: the guests' RAM files
  std::filesystem::path handoff_library;       // libjettison-uffd-handoff.so
  Accel accel = Accel::kAuto;
  bool dirty_tracking = true;
  Duration start_timeout = Duration::seconds(30);
  std::uint64_t max_guest_ram = 0;  // bytes; 0: no limit
};

// Before anything moves: the daemon answers on `uri`, QEMU and the hand-off library are there, the RAM
// folder is on tmpfs. VmError/LibvirtError saying what is missing.
void check_libvirt_host(const LibvirtHostConfig& config);

class LibvirtHostedVm final : public HostedVm {
 public:
  // The guest a server process that died left running in `dir` (its epoch folder): the domain
  // hosted.json names, running on config.uri, its QMP and the SAME uffd. VmError naming what is missing.
  static std::unique_ptr<LibvirtHostedVm> adopt(const std::filesystem::path& dir, LibvirtHostConfig config);
  LibvirtHostedVm(std::uint64_t epoch, std::span<const std::byte> sealed_state, LibvirtHostConfig config);
  ~LibvirtHostedVm() override;

  std::string_view backend() const override { return "libvirt"; }
  UffdRegion& region() override { return *region_; }
  void start(std::span<const std::byte> sealed_state, Duration timeout) override;
  bool running() const override;
  std::string ended() const override;
  std::vector<std::byte> stop_and_save(Duration timeout) override;
  void discard() override;
  std::filesystem::path dirty_log() const override { return dir_ / "dirty.log"; }
  bool adopted() const override { return adopted_; }
  bool keep_for_adoption() override;
  LibvirtDomain& domain() { return domain_; }
  const std::filesystem::path& serial_log() const { return spec_.serial_log; }

 private:
  explicit LibvirtHostedVm(LibvirtHostConfig config);
  void write_record(std::uint64_t epoch) const;

  LibvirtHostConfig config_;
  LibvirtConnection conn_;
  QemuVmSpec spec_;
  std::string description_;
  std::filesystem::path dir_;
  LibvirtDomain domain_;
  std::optional<QmpClient> qmp_;
  std::optional<UffdRegion> region_;
  bool stopped_ = false, adopted_ = false, kept_ = false;
};

// The epoch folder under `run_dir` whose guest's domain still runs on `uri` (its hosted.json names a
// libvirt domain that is active), if any: what a restarted server with --libvirt adopts.
std::optional<std::filesystem::path> find_adoptable_domain(const std::filesystem::path& run_dir,
                                                           const std::string& uri);

// The lines of the hand-off library's log that explain a failed start (its alerts), with what to
// change when QEMU's user could not create a userfaultfd; empty when the log says nothing.
std::string explain_handoff_log(const std::filesystem::path& log);

}  // namespace jettison::emu
