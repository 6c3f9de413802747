// A migrated guest hosted under QEMU on the consolidation server. prepare (the constructor) builds the
// same virtual machine the desktop described (the description travels with the device state), with
// EMPTY guest RAM in a fresh shared-memory file and `-incoming defer`, and the project's hand-off
// library preloaded into QEMU: it registers that RAM with userfaultfd inside QEMU (MISSING, plus WP
// for dirty tracking) and offers the uffd on a UNIX socket, which this backend connects to and adopts.
// The library keeps its own copy of the uffd, so if the fetcher dies the guest freezes (it never reads
// a zero page) and a restarted server can adopt the same guest again (adopt()).
//
// start() loads the device state (the fetcher already serves faults: loading devices may read guest
// RAM) and runs the guest; stop_and_save() pauses it and saves its device state for the way back.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "emu/vm/hosted_vm.hpp"
#include "emu/vm/qemu_command.hpp"
#include "emu/vm/qemu_process.hpp"

namespace jettison::emu {

struct QemuHostConfig {
  std::filesystem::path run_dir;               // per-server: one folder per epoch is made inside
  std::filesystem::path ram_dir = "/dev/shm";  // tmpfs: the guests' RAM files
  std::filesystem::path handoff_library;       // libjettison-uffd-handoff.so
  Accel accel = Accel::kAuto;
  bool dirty_tracking = true;
  Duration start_timeout = Duration::seconds(30);
  std::uint64_t max_guest_ram = 0;  // bytes; 0: no limit
};

// Everything that would stop a guest from being hosted here, checked before anything moves: QEMU
// present, the hand-off library built, userfaultfd usable, the RAM folder on tmpfs. Throws VmError
// (or QemuError) saying what is missing and how to fix it.
void check_qemu_host(const QemuHostConfig& config);

class QemuHostedVm final : public HostedVm {
 public:
  // The guest a server process that died left running in `dir` (its epoch folder): its QEMU (the
  // pid recorded in hosted.json, still alive), its QMP, and the SAME uffd, offered again by the hand-off
  // library. VmError naming what is missing.
  static std::unique_ptr<QemuHostedVm> adopt(const std::filesystem::path& dir, QemuHostConfig config);
  // The epoch recorded in `dir` (VmError when there is no readable record).
  static std::uint64_t adopt_epoch(const std::filesystem::path& dir);
  // `sealed_state`: the device state as it came from the desktop (its description is read here).
  QemuHostedVm(std::uint64_t epoch, std::span<const std::byte> sealed_state, QemuHostConfig config);
  ~QemuHostedVm() override;

  std::string_view backend() const override { return "qemu"; }
  UffdRegion& region() override { return *region_; }
  void start(std::span<const std::byte> sealed_state, Duration timeout) override;
  bool running() const override;
  std::string ended() const override;
  std::vector<std::byte> stop_and_save(Duration timeout) override;
  void discard() override;
  QemuProcess& process() { return *qemu_; }
  std::filesystem::path dirty_log() const override { return dir_ / "dirty.log"; }
  bool adopted() const override { return adopted_; }
  bool keep_for_adoption() override;
  std::uint64_t epoch() const { return epoch_; }

 private:
  explicit QemuHostedVm(QemuHostConfig config) : config_(std::move(config)) {}
  void write_record() const;

  QemuHostConfig config_;
  QemuVmSpec spec_;
  std::string description_;
  std::filesystem::path dir_;
  std::unique_ptr<QemuProcess> qemu_;
  std::optional<UffdRegion> region_;
  bool stopped_ = false, adopted_ = false, kept_ = false;
  std::uint64_t epoch_ = 0;
};

// The epoch folder under `run_dir` whose guest is still running (hosted.json names a live QEMU), if
// any: what a restarted server adopts.
std::optional<std::filesystem::path> find_adoptable(const std::filesystem::path& run_dir);

// Connects to the hand-off library's socket (retrying until it exists, while `alive()` holds, up to
// `timeout`) and returns the region it offers. VmError naming the socket on failure.
UffdRegion adopt_handoff(const std::filesystem::path& socket, Duration timeout,
                         const std::function<bool()>& alive);

}  // namespace jettison::emu
