#include "emu/vm/qemu_hosted_vm.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "emu/fetch/uffd_handover.hpp"
#include "emu/sys/unique_fd.hpp"
#include "emu/vm/device_state_io.hpp"
#include "emu/vm/qemu_guest.hpp"
#include "emu/vm/qemu_migration.hpp"
#include "emu/vm/state_envelope.hpp"

namespace jettison::emu {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

void check_qemu_host(const QemuHostConfig& config) {
  (void)find_qemu();
  if (config.handoff_library.empty() || !std::filesystem::exists(config.handoff_library))
    throw VmError(
        fmt::format("the uffd hand-off library '{}' is missing (build the project: it is "
                    "build/lib/libjettison-uffd-handoff.so)",
                    config.handoff_library.string()));
  if (const auto why = userfaultfd_unavailable())
    throw VmError(
        fmt::format("userfaultfd is not usable here ({}): QEMU's RAM cannot be served on demand; "
                    "run as root or allow it (sysctl vm.unprivileged_userfaultfd=1, or access to "
                    "/dev/userfaultfd)",
                    *why));
  require_shared_memory(config.ram_dir);
}

UffdRegion adopt_handoff(const std::filesystem::path& socket, Duration timeout,
                         const std::function<bool()>& alive) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string path = socket.string();
  if (path.size() >= sizeof addr.sun_path)
    throw VmError(fmt::format("hand-off socket '{}': path too long", path));
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const auto deadline = Clock::now() + std::chrono::microseconds(timeout.us());
  while (true) {
    UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0)
      return UffdRegion::adopt(receive_handoff(s.get()));
    const int e = errno;
    if (alive && !alive())
      throw VmError(fmt::format("the VM process exited before offering its uffd on {}", path));
    if (Clock::now() >= deadline)
      throw VmError(fmt::format("no uffd offered on {} within {:.1f} s: {}", path, timeout.seconds_f(),
                                std::strerror(e)));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

QemuHostedVm::QemuHostedVm(std::uint64_t epoch, std::span<const std::byte> sealed_state,
                           QemuHostConfig config)
    : config_(std::move(config)), epoch_(epoch) {
  const OpenedState opened = open_state(sealed_state);
  description_ = opened.description;
  spec_ = guest_from_description(opened.description);
  if (config_.max_guest_ram != 0 && spec_.ram_bytes > config_.max_guest_ram)
    throw VmError(fmt::format("the guest's {} MiB of RAM exceed this server's limit of {} MiB",
                              spec_.ram_bytes >> 20, config_.max_guest_ram >> 20));
  dir_ = config_.run_dir / fmt::format("{}-epoch-{}", spec_.name, epoch);
  std::filesystem::create_directories(dir_);
  spec_.ram_file =
      config_.ram_dir / fmt::format("jettison-{}-{}-epoch-{}.ram", spec_.name, ::getpid(), epoch);
  std::error_code ec;
  std::filesystem::remove(spec_.ram_file, ec);
  create_ram_file(spec_.ram_file, spec_.ram_bytes);  // empty: every page comes from the desktop
  spec_.qmp_socket = dir_ / "qmp.sock";
  spec_.serial_log = dir_ / "serial.log";
  spec_.accel = config_.accel;
  spec_.incoming = Incoming::kDefer;
  const auto handoff_socket = dir_ / "uffd.sock";
  std::map<std::string, std::string> env{{"LD_PRELOAD", config_.handoff_library.string()},
                                         {"JETTISON_HANDOFF_SOCKET", handoff_socket.string()},
                                         {"JETTISON_HANDOFF_RAM", spec_.ram_file.string()},
                                         {"JETTISON_HANDOFF_WP", config_.dirty_tracking ? "1" : "0"},
                                         {"JETTISON_HANDOFF_LOG", (dir_ / "handoff.log").string()}};
  qemu_ = std::make_unique<QemuProcess>(QemuProcess::start(spec_, dir_ / "qemu.log", env));
  try {
    region_.emplace(
        adopt_handoff(handoff_socket, config_.start_timeout, [this] { return qemu_->running(); }));
    qemu_->wait_for_qmp(config_.start_timeout);
  } catch (const std::exception& e) {
    throw VmError(fmt::format("{} (QEMU log: {})", e.what(), qemu_->log_tail(6)));
  }
  std::filesystem::remove(dirty_log(), ec);  // a log left by an earlier run of this epoch is not ours
  write_record();
  spdlog::info("hosted VM {}: QEMU pid {} waits for epoch {} with {} empty pages ({} region(s), {})",
               spec_.name, qemu_->pid(), epoch, region_->pages(), region_->ranges().size(),
               region_->write_protect() ? "dirty tracking" : "no dirty tracking");
}

// hosted.json: what a restarted server needs to adopt the guest (written atomically).
void QemuHostedVm::write_record() const {
  const nlohmann::json j{{"epoch", epoch_},
                         {"pid", qemu_->pid()},
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

std::unique_ptr<QemuHostedVm> QemuHostedVm::adopt(const std::filesystem::path& dir, QemuHostConfig config) {
  nlohmann::json j;
  try {
    std::ifstream in(dir / "hosted.json");
    if (!in) throw VmError("no hosted.json");
    in >> j;
  } catch (const std::exception& e) {
    throw VmError(fmt::format("adopting the guest in '{}': {}", dir.string(), e.what()));
  }
  std::unique_ptr<QemuHostedVm> vm(new QemuHostedVm(std::move(config)));
  try {
    vm->epoch_ = j.at("epoch").get<std::uint64_t>();
    vm->description_ = j.at("description").get<std::string>();
    vm->spec_ = guest_from_description(vm->description_);
    vm->spec_.ram_file = j.at("ram_file").get<std::string>();
    vm->dir_ = dir;
    vm->qemu_ = std::make_unique<QemuProcess>(
        QemuProcess::adopt(j.at("pid").get<pid_t>(), dir / "qmp.sock", dir / "qemu.log"));
    vm->qemu_->wait_for_qmp(vm->config_.start_timeout);
    vm->region_.emplace(
        adopt_handoff(dir / "uffd.sock", vm->config_.start_timeout, [&vm] { return vm->qemu_->running(); }));
  } catch (const std::exception& e) {
    throw VmError(fmt::format("adopting the guest in '{}': {}", dir.string(), e.what()));
  }
  vm->adopted_ = true;
  spdlog::info("hosted VM {}: adopted QEMU pid {} of epoch {} ({} pages, status {})", vm->spec_.name,
               vm->qemu_->pid(), vm->epoch_, vm->region_->pages(), query_status(vm->qemu_->qmp()));
  return vm;
}

std::uint64_t QemuHostedVm::adopt_epoch(const std::filesystem::path& dir) {
  try {
    std::ifstream in(dir / "hosted.json");
    if (!in) throw VmError("no hosted.json");
    nlohmann::json j;
    in >> j;
    return j.at("epoch").get<std::uint64_t>();
  } catch (const std::exception& e) {
    throw VmError(fmt::format("the guest record in '{}': {}", dir.string(), e.what()));
  }
}

std::optional<std::filesystem::path> find_adoptable(const std::filesystem::path& run_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(run_dir, ec)) return std::nullopt;
  for (const auto& e : std::filesystem::directory_iterator(run_dir, ec)) {
    std::ifstream in(e.path() / "hosted.json");
    if (!in) continue;
    try {
      nlohmann::json j;
      in >> j;
      const auto pid = j.at("pid").get<pid_t>();
      if (pid > 0 && ::kill(pid, 0) == 0) return e.path();
    } catch (const std::exception&) {
      continue;
    }
  }
  return std::nullopt;
}

QemuHostedVm::~QemuHostedVm() { discard(); }

bool QemuHostedVm::keep_for_adoption() {
  if (!qemu_ || !qemu_->running()) return false;
  qemu_->release();  // QEMU runs on, its uffd kept by the hand-off library; hosted.json stays
  qemu_.reset();
  kept_ = true;
  return true;
}

void QemuHostedVm::start(std::span<const std::byte> sealed_state, Duration timeout) {
  const OpenedState opened = open_state(sealed_state);
  load_device_state(qemu_->qmp(), dir_ / "in.sock", opened.stream, timeout);
}

bool QemuHostedVm::running() const { return qemu_ && !stopped_ && qemu_->running(); }

std::string QemuHostedVm::ended() const {
  if (qemu_ && !qemu_->running()) return fmt::format("QEMU exited ({})", qemu_->log_tail(4));
  return stopped_ ? "stopped" : "";
}

std::vector<std::byte> QemuHostedVm::stop_and_save(Duration timeout) {
  if (!qemu_ || !qemu_->running())
    throw VmError(fmt::format("the guest's QEMU is gone, its state with it: {}", ended()));
  qemu_->qmp().execute("stop");
  stopped_ = true;
  std::vector<std::byte> stream = save_device_state(qemu_->qmp(), dir_ / "out.sock", timeout);
  return seal_state(description_, stream);
}

void QemuHostedVm::discard() {
  if (kept_) return;  // left for a later server process to adopt
  if (qemu_) {
    try {
      qemu_->quit(Duration::seconds(3));
    } catch (const std::exception& e) {
      spdlog::warn("hosted VM {}: stopping QEMU: {}", spec_.name, e.what());
    }
    qemu_.reset();
  }
  region_.reset();
  std::error_code ec;
  if (!spec_.ram_file.empty()) std::filesystem::remove(spec_.ram_file, ec);
  if (!dir_.empty()) std::filesystem::remove(dir_ / "hosted.json", ec);  // nothing left to adopt
}

}  // namespace jettison::emu
