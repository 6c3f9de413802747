#include "emu/vm/libvirt_desktop_vm.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "emu/vm/device_state_io.hpp"
#include "emu/vm/libvirt_domain_xml.hpp"
#include "emu/vm/qemu_guest.hpp"
#include "emu/vm/qemu_migration.hpp"
#include "emu/vm/state_envelope.hpp"

namespace jettison::emu {

LibvirtDesktopVm::LibvirtDesktopVm(LibvirtDesktopVmConfig config, NoLaunch)
    : config_(std::move(config)), conn_(config_.uri) {
  if (config_.guest.serial_log.empty()) config_.guest.serial_log = config_.run_dir / "serial.log";
  config_.guest.qmp_socket = config_.run_dir / "qmp.sock";
}

LibvirtDesktopVm::LibvirtDesktopVm(LibvirtDesktopVmConfig config)
    : LibvirtDesktopVm(std::move(config), NoLaunch{}) {
  if (config_.guest.ram_file.empty()) throw VmError("desktop VM: needs a RAM file (under /dev/shm)");
  if (conn_.find(config_.guest.name))
    throw VmError(fmt::format("libvirt domain '{}' already exists on {}: adopt it, or undefine it first",
                              config_.guest.name, conn_.uri()));
  std::filesystem::create_directories(config_.run_dir);
  create_ram_file(config_.guest.ram_file, config_.guest.ram_bytes);
  launch(Incoming::kNone);
}

std::unique_ptr<LibvirtDesktopVm> LibvirtDesktopVm::adopt(LibvirtDesktopVmConfig config) {
  std::unique_ptr<LibvirtDesktopVm> vm(new LibvirtDesktopVm(std::move(config), NoLaunch{}));
  const std::string& name = vm->config_.guest.name;
  vm->domain_ = vm->conn_.find(name);
  if (!vm->domain_)
    throw VmError(fmt::format("libvirt domain '{}' is not defined on {}", name, vm->conn_.uri()));
  try {
    const AdoptableDomain a = check_adoptable_domain(vm->domain_.xml());
    if (!vm->domain_.active())
      throw VmError(fmt::format("libvirt domain '{}' on {} is not running", name, vm->conn_.uri()));
    vm->config_.guest.ram_bytes = a.ram_bytes;
    vm->config_.guest.ram_file = a.ram_file;
    vm->config_.guest.qmp_socket = a.qmp_socket;
    if (!a.serial_log.empty()) vm->config_.guest.serial_log = a.serial_log;
    vm->qmp_.emplace(QmpClient::connect(a.qmp_socket, vm->config_.boot_timeout));
    vm->paused_ = query_status(*vm->qmp_) != "running";
  } catch (...) {
    vm->detach();  // not adoptable is no reason to destroy it: the caller decides
    throw;
  }
  spdlog::info("desktop VM {}: adopted libvirt domain ({}), {} MiB of RAM in {}", name,
               vm->paused_ ? "paused" : "running", vm->config_.guest.ram_bytes >> 20,
               vm->config_.guest.ram_file.string());
  return vm;
}

std::unique_ptr<LibvirtDesktopVm> LibvirtDesktopVm::without_instance(LibvirtDesktopVmConfig config) {
  std::unique_ptr<LibvirtDesktopVm> vm(new LibvirtDesktopVm(std::move(config), NoLaunch{}));
  const QemuVmSpec& g = vm->config_.guest;
  std::error_code ec;
  const auto size = std::filesystem::file_size(g.ram_file, ec);
  if (ec)
    throw VmError(fmt::format("desktop VM: its RAM file {} is gone: {}", g.ram_file.string(), ec.message()));
  if (size != g.ram_bytes)
    throw VmError(fmt::format("desktop VM: its RAM file {} has {} bytes, the VM {}", g.ram_file.string(),
                              size, g.ram_bytes));
  if (LibvirtDomain left = vm->conn_.find(g.name)) {
    if (left.active())
      throw VmError(fmt::format("libvirt domain '{}' on {} is running: adopt it, or destroy it first", g.name,
                                vm->conn_.uri()));
    const AdoptableDomain a = check_adoptable_domain(left.xml());
    if (a.ram_file != g.ram_file)
      throw VmError(
          fmt::format("libvirt domain '{}' on {} is defined with RAM file {}, not {}: undefine it "
                      "(virsh undefine {}) or give that --vm-ram-file",
                      g.name, vm->conn_.uri(), a.ram_file.string(), g.ram_file.string(), g.name));
    left.undefine();
    spdlog::info("desktop VM {}: its stopped domain's definition removed (defined again when it comes back)",
                 g.name);
  }
  std::filesystem::create_directories(vm->config_.run_dir);
  return vm;
}

LibvirtDesktopVm::~LibvirtDesktopVm() { shutdown(); }

QmpClient& LibvirtDesktopVm::qmp() {
  if (!qmp_ || !domain_.active())
    throw VmError(fmt::format("desktop VM {}: its domain is not running", config_.guest.name));
  return *qmp_;
}

void LibvirtDesktopVm::launch(Incoming incoming) {
  QemuVmSpec spec = config_.guest;
  spec.incoming = incoming;
  const std::string xml = libvirt_domain_xml(spec, chosen_accel(spec.accel, kvm_usable()));
  std::error_code ec;
  std::filesystem::remove(spec.qmp_socket, ec);
  domain_ = conn_.define(xml);
  try {
    domain_.start(incoming == Incoming::kDefer);
    qmp_.emplace(QmpClient::connect(spec.qmp_socket, config_.boot_timeout, [this] {
      if (!domain_.active())
        throw VmError(fmt::format("libvirt domain '{}' stopped while starting", domain_.name()));
    }));
  } catch (...) {
    remove_domain();
    throw;
  }
  spdlog::info("desktop VM {}: libvirt domain on {} ({}), {} MiB of RAM in {}", spec.name, conn_.uri(),
               incoming == Incoming::kDefer ? "incoming" : "booting", spec.ram_bytes >> 20,
               spec.ram_file.string());
  paused_ = false;
  instance_changed();
}

std::string LibvirtDesktopVm::description() const { return describe_guest(config_.guest); }

std::string LibvirtDesktopVm::run_state() const {
  if (!domain_.active())
    throw VmError(fmt::format("desktop VM {}: its domain is not running", config_.guest.name));
  const auto reply = nlohmann::json::parse(domain_.qemu_monitor_command(R"({"execute":"query-status"})"));
  return reply.at("return").value("status", std::string("?"));
}

std::vector<std::byte> LibvirtDesktopVm::migrate_out(Duration timeout) {
  MigrationResult r;
  std::vector<std::byte> stream = save_device_state(qmp(), config_.run_dir / "out.sock", timeout, &r);
  paused_ = true;
  spdlog::info(
      "desktop VM: device state saved through libvirt's QEMU: {} bytes (QEMU: {} ms, downtime {} ms)",
      stream.size(), r.total_time_ms, r.downtime_ms);
  return seal_state(description(), stream);
}

void LibvirtDesktopVm::resume_here(Duration timeout) {
  qmp().execute("cont");
  wait_running(qmp(), timeout);
  paused_ = false;
}

void LibvirtDesktopVm::migrate_in(std::span<const std::byte> state, Duration timeout) {
  const OpenedState opened = open_state(state);
  if (opened.description != description()) {
    const QemuVmSpec theirs = guest_from_description(opened.description);
    if (theirs.ram_bytes != config_.guest.ram_bytes)
      throw VmError(fmt::format("the returned VM has {} bytes of RAM, this one {}", theirs.ram_bytes,
                                config_.guest.ram_bytes));
  }
  remove_domain();  // the paused instance; its RAM stays in the file
  launch(Incoming::kDefer);
  try {
    load_device_state(*qmp_, config_.run_dir / "in.sock", opened.stream, timeout);
  } catch (...) {
    remove_domain();
    throw;
  }
}

bool LibvirtDesktopVm::running() const { return domain_.active() && !paused_; }

VmInstance LibvirtDesktopVm::instance() const {
  // libvirt owns the process: its pid is not ours to signal; the domain's name is what finds it again.
  if (!domain_.active()) return {};
  return {-1, config_.guest.qmp_socket};
}

void LibvirtDesktopVm::remove_domain() {
  qmp_.reset();
  if (!domain_) return;
  try {
    domain_.destroy();
    domain_.undefine();
  } catch (const std::exception& e) {
    spdlog::warn("desktop VM {}: removing its libvirt domain: {}", config_.guest.name, e.what());
  }
  domain_ = LibvirtDomain();
  std::error_code ec;
  std::filesystem::remove(config_.guest.qmp_socket, ec);
}

void LibvirtDesktopVm::shutdown() { remove_domain(); }

void LibvirtDesktopVm::detach() {
  if (!domain_) return;
  spdlog::info("desktop VM {}: libvirt domain left {} for the next agent", config_.guest.name,
               paused_ ? "paused" : "running");
  qmp_.reset();
  domain_ = LibvirtDomain();
}

}  // namespace jettison::emu
