#include "emu/vm/libvirt_hosted_vm.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "emu/vm/device_state_io.hpp"
#include "emu/vm/libvirt_domain_xml.hpp"
#include "emu/vm/qemu_guest.hpp"
#include "emu/vm/qemu_hosted_vm.hpp"
#include "emu/vm/qemu_migration.hpp"
#include "emu/vm/state_envelope.hpp"

namespace jettison::emu {

void check_libvirt_host(const LibvirtHostConfig& config) {
  (void)find_qemu();
  if (config.handoff_library.empty() || !std::filesystem::exists(config.handoff_library))
    throw VmError(
        fmt::format("the uffd hand-off library '{}' is missing (build the project: it is "
                    "build/lib/libjettison-uffd-handoff.so)",
                    config.handoff_library.string()));
  require_shared_memory(config.ram_dir);
  LibvirtConnection probe(config.uri);
}

std::string explain_handoff_log(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::string line, alerts;
  bool no_uffd = false;
  while (std::getline(in, line)) {
    if (line.find("cannot create a userfaultfd") != std::string::npos) no_uffd = true;
    if (line.find("alert") != std::string::npos || line.find("cannot") != std::string::npos ||
        line.find("refused") != std::string::npos)
      alerts += (alerts.empty() ? "" : "; ") + line;
  }
  if (no_uffd)
    return fmt::format(
        "QEMU under libvirt runs as qemu.conf's user and that user cannot create a userfaultfd: set "
        "sysctl vm.unprivileged_userfaultfd=1, or give that user read-write access to /dev/userfaultfd "
        "(a udev rule; the kvm group on Debian), or set user = \"root\" in qemu.conf (hand-off log: {})",
        alerts);
  return alerts;
}

LibvirtHostedVm::LibvirtHostedVm(LibvirtHostConfig config) : config_(std::move(config)), conn_(config_.uri) {}

LibvirtHostedVm::LibvirtHostedVm(std::uint64_t epoch, std::span<const std::byte> sealed_state,
                                 LibvirtHostConfig config)
    : config_(std::move(config)), conn_(config_.uri) {
  const OpenedState opened = open_state(sealed_state);
  description_ = opened.description;
  spec_ = guest_from_description(opened.description);
  if (config_.max_guest_ram != 0 && spec_.ram_bytes > config_.max_guest_ram)
    throw VmError(fmt::format("the guest's {} MiB of RAM exceed this server's limit of {} MiB",
                              spec_.ram_bytes >> 20, config_.max_guest_ram >> 20));
  // The domain's name: the guest's, with this server's pid and the epoch (the desktop may run a
  // domain of the guest's own name under the same daemon).
  spec_.name = fmt::format("{}-{}-epoch-{}", spec_.name, ::getpid(), epoch);
  dir_ = config_.run_dir / spec_.name;
  std::filesystem::create_directories(dir_);
  spec_.ram_file = config_.ram_dir / fmt::format("jettison-{}.ram", spec_.name);
  std::error_code ec;
  std::filesystem::remove(spec_.ram_file, ec);
  create_ram_file(spec_.ram_file, spec_.ram_bytes);  // empty: every page comes from the desktop
  spec_.qmp_socket = dir_ / "qmp.sock";
  spec_.serial_log = dir_ / "serial.log";
  spec_.accel = config_.accel;
  spec_.incoming = Incoming::kDefer;
  const auto handoff_socket = dir_ / "uffd.sock";
  const auto handoff_log = dir_ / "handoff.log";
  std::filesystem::remove(handoff_socket, ec);
  const std::map<std::string, std::string> env{{"LD_PRELOAD", config_.handoff_library.string()},
                                               {"JETTISON_HANDOFF_SOCKET", handoff_socket.string()},
                                               {"JETTISON_HANDOFF_RAM", spec_.ram_file.string()},
                                               {"JETTISON_HANDOFF_WP", config_.dirty_tracking ? "1" : "0"},
                                               {"JETTISON_HANDOFF_LOG", handoff_log.string()}};
  try {
    if (conn_.find(spec_.name))
      throw VmError(fmt::format("libvirt domain '{}' already exists on {}", spec_.name, conn_.uri()));
    domain_ = conn_.define(libvirt_domain_xml(spec_, chosen_accel(spec_.accel, kvm_usable()), env));
    domain_.start(true);
    region_.emplace(
        adopt_handoff(handoff_socket, config_.start_timeout, [this] { return domain_.active(); }));
    qmp_.emplace(QmpClient::connect(spec_.qmp_socket, config_.start_timeout));
  } catch (const std::exception& e) {
    const std::string why = explain_handoff_log(handoff_log);
    discard();
    throw VmError(fmt::format("hosting '{}' as a libvirt domain: {}{}", spec_.name, e.what(),
                              why.empty() ? "" : " (" + why + ")"));
  }
  std::filesystem::remove(dirty_log(), ec);  // a log left by an earlier run of this epoch is not ours
  write_record(epoch);
  spdlog::info("hosted VM {}: libvirt domain on {} waits for epoch {} with {} empty pages ({})", spec_.name,
               conn_.uri(), epoch, region_->pages(),
               region_->write_protect() ? "dirty tracking" : "no dirty tracking");
}

// hosted.json: what a restarted server needs to adopt the guest (written atomically).
void LibvirtHostedVm::write_record(std::uint64_t epoch) const {
  const nlohmann::json j{{"epoch", epoch},
                         {"backend", "libvirt"},
                         {"domain", spec_.name},
                         {"uri", conn_.uri()},
                         {"ram_file", spec_.ram_file.string()},
                         {"description", description_}};
  const auto tmp = dir_ / "hosted.json.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump() << "\n";
    out.flush();
    if (!out) throw VmError(fmt::format("cannot write '{}'", tmp.string()));
  }
  std::filesystem::rename(tmp, dir_ / "hosted.json");
}

namespace {

nlohmann::json read_hosted_record(const std::filesystem::path& dir) {
  std::ifstream in(dir / "hosted.json");
  if (!in) throw VmError("no hosted.json");
  nlohmann::json j;
  in >> j;
  if (j.value("backend", std::string()) != "libvirt")
    throw VmError("hosted.json is not of a libvirt domain (a QEMU child: adopt it without --libvirt)");
  return j;
}

}  // namespace

std::unique_ptr<LibvirtHostedVm> LibvirtHostedVm::adopt(const std::filesystem::path& dir,
                                                        LibvirtHostConfig config) {
  std::unique_ptr<LibvirtHostedVm> vm(new LibvirtHostedVm(std::move(config)));
  try {
    const nlohmann::json j = read_hosted_record(dir);
    vm->description_ = j.at("description").get<std::string>();
    vm->spec_ = guest_from_description(vm->description_);
    vm->spec_.name = j.at("domain").get<std::string>();
    vm->spec_.ram_file = j.at("ram_file").get<std::string>();
    vm->dir_ = dir;
    vm->spec_.qmp_socket = dir / "qmp.sock";
    vm->spec_.serial_log = dir / "serial.log";
    const std::string uri = j.value("uri", std::string());
    if (!uri.empty() && uri != vm->conn_.uri())
      throw VmError(fmt::format("its domain '{}' is on {}, not on {}", vm->spec_.name, uri, vm->conn_.uri()));
    vm->domain_ = vm->conn_.find(vm->spec_.name);
    if (!vm->domain_ || !vm->domain_.active())
      throw VmError(fmt::format("libvirt domain '{}' is not running on {}", vm->spec_.name, vm->conn_.uri()));
    vm->qmp_.emplace(QmpClient::connect(vm->spec_.qmp_socket, vm->config_.start_timeout));
    vm->region_.emplace(
        adopt_handoff(dir / "uffd.sock", vm->config_.start_timeout, [&vm] { return vm->domain_.active(); }));
  } catch (const std::exception& e) {
    vm->kept_ = true;  // not adoptable is no reason to destroy it
    throw VmError(fmt::format("adopting the guest in '{}': {}", dir.string(), e.what()));
  }
  vm->adopted_ = true;
  spdlog::info("hosted VM {}: adopted libvirt domain on {} ({} pages, status {})", vm->spec_.name,
               vm->conn_.uri(), vm->region_->pages(), query_status(*vm->qmp_));
  return vm;
}

std::optional<std::filesystem::path> find_adoptable_domain(const std::filesystem::path& run_dir,
                                                           const std::string& uri) {
  std::error_code ec;
  if (!std::filesystem::is_directory(run_dir, ec)) return std::nullopt;
  LibvirtConnection conn(uri);
  for (const auto& e : std::filesystem::directory_iterator(run_dir, ec)) {
    try {
      const nlohmann::json j = read_hosted_record(e.path());
      if (LibvirtDomain d = conn.find(j.at("domain").get<std::string>()); d && d.active()) return e.path();
    } catch (const std::exception&) {
      continue;
    }
  }
  return std::nullopt;
}

bool LibvirtHostedVm::keep_for_adoption() {
  if (!domain_.active()) return false;
  qmp_.reset();
  domain_ = LibvirtDomain();  // the handle only: the domain runs on, its uffd kept by the hand-off library
  kept_ = true;
  return true;
}

LibvirtHostedVm::~LibvirtHostedVm() { discard(); }

void LibvirtHostedVm::start(std::span<const std::byte> sealed_state, Duration timeout) {
  const OpenedState opened = open_state(sealed_state);
  load_device_state(*qmp_, dir_ / "in.sock", opened.stream, timeout);
}

bool LibvirtHostedVm::running() const { return domain_.active() && !stopped_; }

std::string LibvirtHostedVm::ended() const {
  if (domain_ && !domain_.active()) return fmt::format("libvirt domain '{}' stopped", spec_.name);
  return stopped_ ? "stopped" : "";
}

std::vector<std::byte> LibvirtHostedVm::stop_and_save(Duration timeout) {
  if (!domain_.active() || !qmp_)
    throw VmError(fmt::format("the guest's domain is gone, its state with it: {}", ended()));
  qmp_->execute("stop");
  stopped_ = true;
  std::vector<std::byte> stream = save_device_state(*qmp_, dir_ / "out.sock", timeout);
  return seal_state(description_, stream);
}

void LibvirtHostedVm::discard() {
  if (kept_) return;  // left for a later server process to adopt
  qmp_.reset();
  if (domain_) {
    try {
      domain_.destroy();
      domain_.undefine();
    } catch (const std::exception& e) {
      spdlog::warn("hosted VM {}: removing its libvirt domain: {}", spec_.name, e.what());
    }
    domain_ = LibvirtDomain();
  }
  region_.reset();
  std::error_code ec;
  if (!spec_.ram_file.empty()) std::filesystem::remove(spec_.ram_file, ec);
  if (!spec_.qmp_socket.empty()) std::filesystem::remove(spec_.qmp_socket, ec);
  if (!dir_.empty()) std::filesystem::remove(dir_ / "hosted.json", ec);  // nothing left to adopt
}

}  // namespace jettison::emu
