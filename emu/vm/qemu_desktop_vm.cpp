#include "emu/vm/qemu_desktop_vm.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "emu/vm/device_state_io.hpp"
#include "emu/vm/qemu_guest.hpp"
#include "emu/vm/qemu_migration.hpp"
#include "emu/vm/state_envelope.hpp"

namespace jettison::emu {

QemuDesktopVm::QemuDesktopVm(QemuDesktopVmConfig config) : config_(std::move(config)) {
  if (config_.guest.ram_file.empty()) throw VmError("desktop VM: needs a RAM file (under /dev/shm)");
  std::filesystem::create_directories(config_.run_dir);
  create_ram_file(config_.guest.ram_file, config_.guest.ram_bytes);
  config_.guest.qmp_socket = config_.run_dir / "qmp.sock";
  launch(Incoming::kNone);
}

QemuDesktopVm::QemuDesktopVm(QemuDesktopVmConfig config, NoLaunch) : config_(std::move(config)) {
  if (config_.guest.ram_file.empty()) throw VmError("desktop VM: needs a RAM file (under /dev/shm)");
  config_.guest.qmp_socket = config_.run_dir / "qmp.sock";
  std::error_code ec;
  const auto size = std::filesystem::file_size(config_.guest.ram_file, ec);
  if (ec)
    throw VmError(fmt::format("desktop VM: its RAM file {} is gone: {}", config_.guest.ram_file.string(),
                              ec.message()));
  if (size != config_.guest.ram_bytes)
    throw VmError(fmt::format("desktop VM: its RAM file {} has {} bytes, the VM {}",
                              config_.guest.ram_file.string(), size, config_.guest.ram_bytes));
}

std::unique_ptr<QemuDesktopVm> QemuDesktopVm::adopt(QemuDesktopVmConfig config, int pid) {
  std::unique_ptr<QemuDesktopVm> vm(new QemuDesktopVm(std::move(config), NoLaunch{}));
  vm->qemu_ = std::make_unique<QemuProcess>(
      QemuProcess::adopt(pid, vm->config_.guest.qmp_socket, vm->config_.run_dir / "qemu.log"));
  try {
    vm->qemu_->wait_for_qmp(vm->config_.boot_timeout);
    vm->paused_ = vm->run_state() != "running";
  } catch (...) {
    vm->qemu_->release();  // not answering is no reason to kill it: the caller decides
    vm->qemu_.reset();
    throw;
  }
  ++vm->instances_;
  spdlog::info("desktop VM {}: adopted QEMU pid {} ({}), {} MiB of RAM in {}", vm->config_.guest.name, pid,
               vm->paused_ ? "paused" : "running", vm->config_.guest.ram_bytes >> 20,
               vm->config_.guest.ram_file.string());
  return vm;
}

std::unique_ptr<QemuDesktopVm> QemuDesktopVm::without_instance(QemuDesktopVmConfig config) {
  std::unique_ptr<QemuDesktopVm> vm(new QemuDesktopVm(std::move(config), NoLaunch{}));
  std::filesystem::create_directories(vm->config_.run_dir);
  return vm;
}

QemuDesktopVm::~QemuDesktopVm() { shutdown(); }

std::string QemuDesktopVm::run_state() {
  if (!qemu_ || !qemu_->running()) throw VmError("desktop VM: QEMU is not running");
  return query_status(qemu_->qmp());
}

VmInstance QemuDesktopVm::instance() const {
  if (!qemu_ || !const_cast<QemuProcess&>(*qemu_).running()) return {};
  return {qemu_->pid(), config_.guest.qmp_socket};
}

void QemuDesktopVm::detach() {
  if (!qemu_) return;
  spdlog::info("desktop VM {}: QEMU pid {} left {} for the next agent", config_.guest.name, qemu_->pid(),
               paused_ ? "paused" : "running");
  qemu_->release();
  qemu_.reset();
}

void QemuDesktopVm::launch(Incoming incoming) {
  QemuVmSpec spec = config_.guest;
  spec.incoming = incoming;
  ++instances_;
  qemu_ = std::make_unique<QemuProcess>(QemuProcess::start(spec, config_.run_dir / "qemu.log"));
  qemu_->wait_for_qmp(config_.boot_timeout);
  spdlog::info("desktop VM {}: QEMU pid {} ({}), {} MiB of RAM in {}", spec.name, qemu_->pid(),
               incoming == Incoming::kDefer ? "incoming" : "booting", spec.ram_bytes >> 20,
               spec.ram_file.string());
  paused_ = false;
  instance_changed();
}

std::string QemuDesktopVm::description() const { return describe_guest(config_.guest); }

std::vector<std::byte> QemuDesktopVm::migrate_out(Duration timeout) {
  if (!qemu_ || !qemu_->running()) throw VmError("desktop VM: QEMU is not running");
  MigrationResult r;
  std::vector<std::byte> stream = save_device_state(qemu_->qmp(), config_.run_dir / "out.sock", timeout, &r);
  paused_ = true;
  spdlog::info("desktop VM: device state saved: {} bytes (QEMU: {} ms, downtime {} ms)", stream.size(),
               r.total_time_ms, r.downtime_ms);
  return seal_state(description(), stream);
}

void QemuDesktopVm::resume_here(Duration timeout) {
  if (!qemu_ || !qemu_->running()) throw VmError("desktop VM: QEMU is not running: nothing to resume");
  qemu_->qmp().execute("cont");
  wait_running(qemu_->qmp(), timeout);
  paused_ = false;
}

void QemuDesktopVm::migrate_in(std::span<const std::byte> state, Duration timeout) {
  const OpenedState opened = open_state(state);
  if (opened.description != description()) {
    const QemuVmSpec theirs = guest_from_description(opened.description);
    if (theirs.ram_bytes != config_.guest.ram_bytes)
      throw VmError(fmt::format("the returned VM has {} bytes of RAM, this one {}", theirs.ram_bytes,
                                config_.guest.ram_bytes));
  }
  if (qemu_ && qemu_->running())
    qemu_->quit(Duration::seconds(5));  // the paused instance; its RAM stays in the file
  qemu_.reset();
  launch(Incoming::kDefer);
  load_device_state(qemu_->qmp(), config_.run_dir / "in.sock", opened.stream, timeout);
}

bool QemuDesktopVm::running() const {
  return qemu_ && !paused_ && const_cast<QemuProcess&>(*qemu_).running();
}

void QemuDesktopVm::shutdown() {
  if (!qemu_) return;
  try {
    qemu_->quit(Duration::seconds(3));
  } catch (const std::exception& e) {
    spdlog::warn("desktop VM: stopping QEMU: {}", e.what());
  }
  qemu_.reset();
}

}  // namespace jettison::emu
