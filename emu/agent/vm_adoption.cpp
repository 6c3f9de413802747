// Booting or adopting the desktop's QEMU VM from its record.
#include "emu/agent/vm_adoption.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iterator>

#include "emu/vm/qemu_guest.hpp"
#include "emu/vm/state_envelope.hpp"

namespace jettison::emu {
namespace {

std::shared_ptr<const std::vector<std::byte>> saved_state(const VmRecordStore& store, std::uint64_t epoch,
                                                          const std::string& description) {
  const auto path = store.state_path(epoch);
  auto bytes = std::make_shared<std::vector<std::byte>>(store.load_state(epoch));
  try {
    const OpenedState opened = open_state(*bytes);
    if (opened.description != description) throw VmRecordError("it holds the state of another VM");
  } catch (const std::exception& e) {
    throw VmRecordError(fmt::format("{}: {}", path.string(), e.what()));
  }
  return bytes;
}

// True when `pid` is alive and its command line names `socket` (a QEMU of ours that may not answer).
bool qemu_alive(int pid, const std::filesystem::path& socket) {
  if (pid <= 0) return false;
  std::ifstream in(std::filesystem::path("/proc") / std::to_string(pid) / "cmdline", std::ios::binary);
  const std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return !socket.empty() && cmdline.find(socket.string()) != std::string::npos;
}

OpenedDesktopVm open_recorded(QemuDesktopVmConfig config, const VmRecordStore& store, const VmRecord& rec,
                              std::unique_ptr<QemuDesktopVm>& vm);

}  // namespace

OpenedDesktopVm open_qemu_desktop_vm(QemuDesktopVmConfig config, const VmRecordStore& store) {
  const std::optional<VmRecord> record = store.load();
  if (!record) return {std::make_unique<QemuDesktopVm>(std::move(config)), std::nullopt};
  const std::string file = store.record_path().string();
  const std::string description = describe_guest(config.guest);
  if (record->backend != "qemu")
    throw VmRecordError(
        fmt::format("{}: a record of a '{}' VM, not of this QEMU one: remove it or use another --vm-dir",
                    file, record->backend));
  if (record->ram_file != config.guest.ram_file)
    throw VmRecordError(
        fmt::format("{}: the record is of another VM (RAM file {}, not {}): remove it or use "
                    "another --vm-dir",
                    file, record->ram_file.string(), config.guest.ram_file.string()));
  if (record->description != description)
    throw VmRecordError(
        fmt::format("{}: the record is of another VM (description {}, this one {}): remove it "
                    "or use another --vm-dir",
                    file, record->description, description));
  const std::string phase = vm_state_name(record->phase);
  spdlog::info("desktop VM: found {}: {} at epoch {}, QEMU pid {}", file, phase, record->epoch, record->pid);
  if (record->phase == VmState::kFailed)
    throw VmRecordError(
        fmt::format("{}: the VM failed at epoch {} (see the previous agent's log); its RAM file "
                    "{} and state files are kept: remove the record to boot afresh",
                    file, record->epoch, record->ram_file.string()));

  std::unique_ptr<QemuDesktopVm> vm;
  try {
    return open_recorded(std::move(config), store, *record, vm);
  } catch (...) {
    if (vm) vm->detach();  // an error leaves the QEMU found as it was
    throw;
  }
}

namespace {

OpenedDesktopVm open_recorded(QemuDesktopVmConfig config, const VmRecordStore& store, const VmRecord& rec,
                              std::unique_ptr<QemuDesktopVm>& vm) {
  const VmRecord* record = &rec;
  const std::string file = store.record_path().string();
  const std::string description = describe_guest(config.guest);
  const std::string phase = vm_state_name(record->phase);
  // The QEMU named by the record, if it is still there and answers.
  std::string run_state, gone;
  try {
    vm = QemuDesktopVm::adopt(config, record->pid);
    run_state = vm->run_state();
  } catch (const std::exception& e) {
    vm.reset();
    gone = e.what();
    if (qemu_alive(record->pid, config.run_dir / "qmp.sock"))
      throw VmRecordError(
          fmt::format("{}: QEMU pid {} is alive but does not answer on its QMP socket ({}): is "
                      "another agent running with this --vm-dir?",
                      file, record->pid, gone));
  }
  const auto found = [&] {
    return vm ? fmt::format("QEMU pid {} adopted ({})", record->pid, run_state)
              : fmt::format("QEMU pid {} is gone ({})", record->pid, gone);
  };
  const auto held = [&](std::uint64_t epoch, std::string why) -> OpenedDesktopVm {
    // No QEMU: the VM is its RAM file and the saved device state of `epoch`.
    auto state = saved_state(store, epoch, description);
    vm.reset();
    auto bare = QemuDesktopVm::without_instance(config);
    const std::string note = fmt::format(
        "{}: {}; the VM is held as its RAM file {} and {} ({} bytes): the server can still return "
        "it, or `take-back` restarts it here from its state at migration",
        file, why, config.guest.ram_file.string(), store.state_path(epoch).string(), state->size());
    spdlog::error("desktop VM: {}", note);
    return {std::move(bare), VmResume{VmState::kRemote, epoch, record->user_returned, std::move(state), note,
                                      record->migrated_unix_ms, record->ram_generation}};
  };
  const auto adopted = [&](VmState at, std::uint64_t epoch,
                           std::shared_ptr<const std::vector<std::byte>> state,
                           std::string note) -> OpenedDesktopVm {
    return {std::move(vm), VmResume{at, epoch, at == VmState::kRemote && record->user_returned,
                                    std::move(state), fmt::format("{}: {}: {}", file, phase, note),
                                    record->migrated_unix_ms, record->ram_generation}};
  };
  const bool paused = run_state == "postmigrate" || run_state == "paused";

  switch (record->phase) {
    case VmState::kRemote:
    case VmState::kReintegrating:
      if (vm && paused)
        return adopted(VmState::kRemote, record->epoch, saved_state(store, record->epoch, description),
                       found());
      if (vm && run_state == "running" && record->phase == VmState::kReintegrating)
        return adopted(VmState::kRunningLocal, record->epoch, nullptr,
                       found() + ": the returned device state was loaded, the VM runs here");
      if (vm && run_state == "running")
        throw VmRecordError(
            fmt::format("{}: the record says remote but {}: refusing to run the guest in two "
                        "places; stop that QEMU or remove the record",
                        file, found()));
      if (vm) {  // mid-load (inmigrate) or otherwise unusable: stopped, the saved state still holds the VM
        const std::string why = found() + ", stopped";
        vm->shutdown();
        return held(record->epoch, why);
      }
      return held(record->epoch, found());
    case VmState::kMigratingOut:
      if (vm) {
        if (paused) vm->resume_here(config.boot_timeout);
        return adopted(VmState::kRunningLocal, record->epoch, nullptr,
                       found() + ": the interrupted migration is abandoned, the VM runs here");
      }
      if (store.has_state(record->epoch + 1))
        return held(record->epoch + 1, found() + ", after its device state was saved");
      throw VmRecordError(
          fmt::format("{}: the VM was migrating out (epoch {}) and {} before its device state "
                      "was saved: the VM's device state is lost; its RAM file {} is kept: remove "
                      "the record to boot afresh",
                      file, record->epoch + 1, found(), record->ram_file.string()));
    case VmState::kRunningLocal:
      if (vm) {
        if (paused) vm->resume_here(config.boot_timeout);
        return adopted(VmState::kRunningLocal, record->epoch, nullptr, found());
      }
      throw VmRecordError(
          fmt::format("{}: the VM ran here and {}: its device state is lost; its RAM file {} is "
                      "kept: remove the record to boot afresh",
                      file, found(), record->ram_file.string()));
    default:
      break;
  }
  throw VmRecordError(fmt::format("{}: phase {} cannot be adopted", file, phase));
}

}  // namespace
}  // namespace jettison::emu
