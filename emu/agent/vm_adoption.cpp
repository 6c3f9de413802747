// Booting or adopting the desktop's VM (QEMU or a libvirt domain) from its record.
#include "emu/agent/vm_adoption.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <functional>
#include <iterator>

#include "emu/vm/qemu_guest.hpp"
#include "emu/vm/state_envelope.hpp"
#ifdef JETTISON_HAVE_LIBVIRT
#include "emu/vm/libvirt_domain_xml.hpp"
#endif

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

// What adopting needs from a backend; the decisions (the table in vm_adoption.hpp) are the same.
struct Backend {
  std::string kind;  // the record's backend: "qemu" or "libvirt"
  std::filesystem::path ram_file;
  std::string description;
  Duration boot_timeout;
  // The instance the record names, in words ("QEMU pid 123", "libvirt domain 'd' on URI").
  std::function<std::string(const VmRecord&)> instance_name;
  // Takes over that instance; throws when it is gone or does not answer.
  std::function<std::unique_ptr<DesktopVm>(const VmRecord&)> adopt;
  std::function<std::string(DesktopVm&)> run_state;
  // After adopt() failed with `why`: a VmRecordError when the instance lives on all the same.
  std::function<void(const VmRecord&, const std::string& why)> check_not_alive;
  // The VM as its RAM file, no instance.
  std::function<std::unique_ptr<DesktopVm>()> without_instance;
};

OpenedDesktopVm open_recorded(const Backend& b, const VmRecordStore& store, const VmRecord& rec,
                              std::unique_ptr<DesktopVm>& vm);

// The record's checks, then open_recorded(); an error leaves the instance found as it was.
OpenedDesktopVm open_from_record(const Backend& b, const VmRecordStore& store, const VmRecord& record) {
  const std::string file = store.record_path().string();
  if (record.backend != b.kind)
    throw VmRecordError(
        fmt::format("{}: a record of a '{}' VM, not of this {} one: remove it or use another --vm-dir", file,
                    record.backend, b.kind == "qemu" ? "QEMU" : b.kind));
  if (record.ram_file != b.ram_file)
    throw VmRecordError(
        fmt::format("{}: the record is of another VM (RAM file {}, not {}): remove it or use "
                    "another --vm-dir",
                    file, record.ram_file.string(), b.ram_file.string()));
  if (record.description != b.description)
    throw VmRecordError(
        fmt::format("{}: the record is of another VM (description {}, this one {}): remove it "
                    "or use another --vm-dir",
                    file, record.description, b.description));
  spdlog::info("desktop VM: found {}: {} at epoch {}, {}", file, vm_state_name(record.phase), record.epoch,
               b.instance_name(record));
  if (record.phase == VmState::kFailed)
    throw VmRecordError(
        fmt::format("{}: the VM failed at epoch {} (see the previous agent's log); its RAM file "
                    "{} and state files are kept: remove the record to boot afresh",
                    file, record.epoch, record.ram_file.string()));
  std::unique_ptr<DesktopVm> vm;
  try {
    return open_recorded(b, store, record, vm);
  } catch (...) {
    if (vm) vm->detach();  // an error leaves the instance found as it was
    throw;
  }
}

OpenedDesktopVm open_recorded(const Backend& b, const VmRecordStore& store, const VmRecord& rec,
                              std::unique_ptr<DesktopVm>& vm) {
  const VmRecord* record = &rec;
  const std::string file = store.record_path().string();
  const std::string phase = vm_state_name(record->phase);
  const std::string instance = b.instance_name(*record);
  // The instance named by the record, if it is still there and answers.
  std::string run_state, gone;
  try {
    vm = b.adopt(*record);
    run_state = b.run_state(*vm);
  } catch (const VmRecordError&) {
    throw;
  } catch (const std::exception& e) {
    vm.reset();
    gone = e.what();
    b.check_not_alive(*record, gone);
  }
  const auto found = [&] {
    return vm ? fmt::format("{} adopted ({})", instance, run_state)
              : fmt::format("{} is gone ({})", instance, gone);
  };
  const auto held = [&](std::uint64_t epoch, std::string why) -> OpenedDesktopVm {
    // No instance: the VM is its RAM file and the saved device state of `epoch`.
    auto state = saved_state(store, epoch, b.description);
    vm.reset();
    auto bare = b.without_instance();
    const std::string note = fmt::format(
        "{}: {}; the VM is held as its RAM file {} and {} ({} bytes): the server can still return "
        "it, or `take-back` restarts it here from its state at migration",
        file, why, b.ram_file.string(), store.state_path(epoch).string(), state->size());
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
        return adopted(VmState::kRemote, record->epoch, saved_state(store, record->epoch, b.description),
                       found());
      if (vm && run_state == "running" && record->phase == VmState::kReintegrating)
        return adopted(VmState::kRunningLocal, record->epoch, nullptr,
                       found() + ": the returned device state was loaded, the VM runs here");
      if (vm && run_state == "running")
        throw VmRecordError(
            fmt::format("{}: the record says remote but {}: refusing to run the guest in two "
                        "places; stop it or remove the record",
                        file, found()));
      if (vm) {  // mid-load (inmigrate) or otherwise unusable: stopped, the saved state still holds the VM
        const std::string why = found() + ", stopped";
        vm->shutdown();
        return held(record->epoch, why);
      }
      return held(record->epoch, found());
    case VmState::kMigratingOut:
      if (vm) {
        if (paused) vm->resume_here(b.boot_timeout);
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
        if (paused) vm->resume_here(b.boot_timeout);
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

OpenedDesktopVm open_qemu_desktop_vm(QemuDesktopVmConfig config, const VmRecordStore& store) {
  const std::optional<VmRecord> record = store.load();
  if (!record) return {std::make_unique<QemuDesktopVm>(std::move(config)), std::nullopt};
  const std::string file = store.record_path().string();
  Backend b;
  b.kind = "qemu";
  b.ram_file = config.guest.ram_file;
  b.description = describe_guest(config.guest);
  b.boot_timeout = config.boot_timeout;
  b.instance_name = [](const VmRecord& r) { return fmt::format("QEMU pid {}", r.pid); };
  b.adopt = [&](const VmRecord& r) -> std::unique_ptr<DesktopVm> {
    return QemuDesktopVm::adopt(config, r.pid);
  };
  b.run_state = [](DesktopVm& vm) { return static_cast<QemuDesktopVm&>(vm).run_state(); };
  b.check_not_alive = [&](const VmRecord& r, const std::string& why) {
    if (qemu_alive(r.pid, config.run_dir / "qmp.sock"))
      throw VmRecordError(
          fmt::format("{}: QEMU pid {} is alive but does not answer on its QMP socket ({}): is "
                      "another agent running with this --vm-dir?",
                      file, r.pid, why));
  };
  b.without_instance = [&]() -> std::unique_ptr<DesktopVm> {
    return QemuDesktopVm::without_instance(config);
  };
  return open_from_record(b, store, *record);
}

#ifdef JETTISON_HAVE_LIBVIRT
namespace {

// No record: boot the domain, or take over the one of that name that is already there.
OpenedDesktopVm open_libvirt_without_record(const LibvirtDesktopVmConfig& config) {
  const std::string& name = config.guest.name;
  LibvirtConnection conn(config.uri);
  LibvirtDomain existing = conn.find(name);
  if (!existing) return {std::make_unique<LibvirtDesktopVm>(config), std::nullopt};
  const AdoptableDomain a = check_adoptable_domain(existing.xml());  // names the XML element to change
  if (a.ram_file != config.guest.ram_file || a.ram_bytes != config.guest.ram_bytes)
    throw VmError(fmt::format(
        "libvirt domain '{}' on {} has {} MiB of RAM in {}, this VM {} MiB in {}: undefine it (virsh "
        "undefine {}) or give its --vm-ram and --vm-ram-file",
        name, conn.uri(), a.ram_bytes >> 20, a.ram_file.string(), config.guest.ram_bytes >> 20,
        config.guest.ram_file.string(), name));
  if (!existing.active()) {
    existing.undefine();
    spdlog::info("desktop VM {}: a stopped definition of it on {} is replaced by a fresh one", name,
                 conn.uri());
    return {std::make_unique<LibvirtDesktopVm>(config), std::nullopt};
  }
  auto vm = LibvirtDesktopVm::adopt(config);
  const std::string state = vm->run_state();
  if (state != "running") {
    vm->detach();
    throw VmError(fmt::format(
        "libvirt domain '{}' on {} is {} and {} has no record of it: it may be away on a server; resume it "
        "(virsh resume {}) or destroy it, or start the agent with the --vm-dir that holds its record",
        name, conn.uri(), state, config.run_dir.string(), name));
  }
  std::string note =
      fmt::format("libvirt domain '{}' on {} was running without a record: adopted", name, conn.uri());
  spdlog::info("desktop VM: {}", note);
  return {std::move(vm),
          VmResume{VmState::kRunningLocal, 0, false, nullptr, std::move(note), 0, std::nullopt}};
}

}  // namespace

OpenedDesktopVm open_libvirt_desktop_vm(LibvirtDesktopVmConfig config, const VmRecordStore& store) {
  const std::optional<VmRecord> record = store.load();
  if (!record) return open_libvirt_without_record(config);
  const std::string file = store.record_path().string();
  const std::string& name = config.guest.name;
  if (record->backend == "libvirt") {
    if (!record->libvirt_uri.empty() && record->libvirt_uri != config.uri)
      throw VmRecordError(fmt::format(
          "{}: the VM is libvirt domain '{}' on {}, not on {}: give that URI or remove the record", file,
          record->domain, record->libvirt_uri, config.uri));
    if (!record->domain.empty() && record->domain != name)
      throw VmRecordError(
          fmt::format("{}: the record is of libvirt domain '{}', not '{}': remove it or use "
                      "another --vm-dir",
                      file, record->domain, name));
    try {
      LibvirtConnection probe(config.uri);
    } catch (const std::exception& e) {
      throw VmRecordError(fmt::format("{}: the VM is libvirt domain '{}' on {}, which does not answer: {}",
                                      file, name, config.uri, e.what()));
    }
  }
  Backend b;
  b.kind = "libvirt";
  b.ram_file = config.guest.ram_file;
  b.description = describe_guest(config.guest);
  b.boot_timeout = config.boot_timeout;
  b.instance_name = [&](const VmRecord&) {
    return fmt::format("libvirt domain '{}' on {}", name, config.uri);
  };
  b.adopt = [&](const VmRecord&) -> std::unique_ptr<DesktopVm> {
    auto vm = LibvirtDesktopVm::adopt(config);
    if (vm->ram_file() != config.guest.ram_file || vm->ram_bytes() != config.guest.ram_bytes) {
      vm->detach();
      throw VmRecordError(fmt::format("{}: libvirt domain '{}' on {} has {} MiB of RAM in {}, the record {}",
                                      file, name, config.uri, vm->ram_bytes() >> 20, vm->ram_file().string(),
                                      config.guest.ram_file.string()));
    }
    return vm;
  };
  b.run_state = [](DesktopVm& vm) { return static_cast<LibvirtDesktopVm&>(vm).run_state(); };
  b.check_not_alive = [&](const VmRecord&, const std::string& why) {
    LibvirtConnection conn(config.uri);
    if (LibvirtDomain d = conn.find(name); d && d.active())
      throw VmRecordError(
          fmt::format("{}: libvirt domain '{}' on {} is running but cannot be adopted ({}): is another agent "
                      "running with this --vm-dir?",
                      file, name, config.uri, why));
  };
  b.without_instance = [&]() -> std::unique_ptr<DesktopVm> {
    return LibvirtDesktopVm::without_instance(config);
  };
  return open_from_record(b, store, *record);
}
#endif

}  // namespace jettison::emu
