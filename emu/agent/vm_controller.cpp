#include "emu/agent/vm_controller.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace jettison::emu {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

bool vm_transition_allowed(VmState from, VmState to) {
  using S = VmState;
  switch (from) {
    case S::kRunningLocal:
      return to == S::kMigratingOut || to == S::kFailed;
    case S::kMigratingOut:
      return to == S::kRemote || to == S::kRunningLocal || to == S::kFailed;
    case S::kRemote:
      return to == S::kReintegrating || to == S::kRunningLocal || to == S::kFailed;
    case S::kReintegrating:
      return to == S::kRunningLocal || to == S::kRemote || to == S::kFailed;
    default:
      return false;
  }
}

VmController::VmController(std::unique_ptr<DesktopVm> vm, VmControllerOptions options,
                           std::optional<VmResume> resume)
    : vm_(std::move(vm)),
      options_(std::move(options)),
      phases_("desktop VM", resume ? resume->phase : VmState::kRunningLocal, &vm_transition_allowed) {
  if (resume) {
    if (resume->phase != VmState::kRunningLocal && resume->phase != VmState::kRemote)
      throw VmError(
          fmt::format("an adopted VM starts running-local or remote, not {}", vm_state_name(resume->phase)));
    if (resume->phase == VmState::kRemote && !resume->state)
      throw VmError(fmt::format("an adopted remote VM needs the device state of epoch {}", resume->epoch));
    epoch_ = resume->epoch;
    user_returned_ = resume->phase == VmState::kRemote && resume->user_returned;
    if (resume->phase == VmState::kRemote) {
      state_ = resume->state;
      migrated_at_ = Clock::now();
      migrated_wall_ = std::chrono::system_clock::now();
      if (resume->migrated_unix_ms > 0) {
        const auto then =
            std::chrono::system_clock::time_point(std::chrono::milliseconds(resume->migrated_unix_ms));
        if (then < migrated_wall_) {
          migrated_at_ -= std::chrono::duration_cast<Clock::duration>(migrated_wall_ - then);
          migrated_wall_ = then;
        }
      }
    }
    if (resume->phase == VmState::kRemote) ram_generation_ = resume->ram_generation;
    adopted_ = resume->note;
    spdlog::info("desktop VM: adopted, {} at epoch {}: {}", vm_state_name(resume->phase), epoch_,
                 resume->note);
  }
  vm_->on_instance_changed([this] { persist(); });  // called from inside moves (mu_ held)
  {
    std::lock_guard lock(mu_);
    persist();
  }
  power(phases_.phase() == VmState::kRunningLocal ? PowerState::kActive : PowerState::kServing);
}

VmController::~VmController() { vm_->on_instance_changed(nullptr); }

void VmController::move(VmState next, std::string_view why) {
  phases_.to(next, why);
  persist();
}

void VmController::persist() const {
  if (!options_.record || closed_) return;
  VmRecord r;
  r.phase = phases_.phase();
  r.epoch = epoch_;
  r.user_returned = user_returned_;
  if (state_) r.ram_generation = ram_generation_;
  if (state_)
    r.migrated_unix_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(migrated_wall_.time_since_epoch()).count();
  r.backend = std::string(vm_->backend());
  const VmInstance instance = vm_->instance();
  r.pid = instance.pid;
  r.qmp_socket = instance.control_socket;
  const VmDomainRef domain = vm_->domain_ref();
  r.domain = domain.name;
  r.libvirt_uri = domain.uri;
  r.ram_file = vm_->ram_file();
  r.description = vm_->description();
  try {
    options_.record->save(r);
  } catch (const std::exception& e) {
    spdlog::error("desktop VM: {} (a restarted agent may not find the VM as it is now)", e.what());
  }
}

void VmController::close() {
  std::lock_guard lock(mu_);
  if (closed_) return;
  const VmState phase = phases_.phase();
  if (phase == VmState::kRunningLocal) {
    vm_->shutdown();
    if (options_.record) options_.record->clear();
  } else {
    persist();
    vm_->detach();
    spdlog::info("desktop VM: left {} at epoch {}{}", vm_state_name(phase), epoch_,
                 options_.record
                     ? fmt::format("; its record is in {}", options_.record->record_path().string())
                     : std::string());
  }
  closed_ = true;
}

void VmController::power(PowerState s) const {
  if (options_.set_power_state) options_.set_power_state(s);
}

VmHooks VmController::hooks() {
  VmHooks h;
  h.status = [this] { return status(); };
  h.device_state = [this](std::uint64_t epoch) { return device_state(epoch); };
  h.accept_state = [this](std::uint64_t epoch, std::vector<std::byte> state) {
    accept_state(epoch, std::move(state));
  };
  h.may_serve_pages = [this] { return away(); };
  return h;
}

bool VmController::away() const {
  const VmState s = phases_.phase();
  return s == VmState::kRemote || s == VmState::kReintegrating;
}

VmStatus VmController::status() const {
  std::lock_guard lock(mu_);
  VmStatus s;
  s.state = phases_.phase();
  s.user_returned = user_returned_;
  s.epoch = epoch_;
  s.state_bytes = state_ ? state_->size() : 0;
  s.guest_ram_bytes = vm_->ram_bytes();
  return s;
}

std::uint64_t VmController::go_idle() {
  std::lock_guard lock(mu_);
  if (phases_.phase() != VmState::kRunningLocal)
    throw VmError(fmt::format("go-idle: the VM is {}, not running here", vm_state_name(phases_.phase())));
  move(VmState::kMigratingOut, fmt::format("go idle: migrating epoch {} out", epoch_ + 1));
  power(PowerState::kMigrating);
  const auto t0 = Clock::now();
  try {
    auto state = std::make_shared<const std::vector<std::byte>>(vm_->migrate_out(options_.migrate_timeout));
    // On disk before the phase says remote: with the RAM file it is the VM, whatever becomes of QEMU.
    if (options_.record) options_.record->save_state(epoch_ + 1, *state);
    ++epoch_;
    state_ = std::move(state);
    user_returned_ = false;
    migrated_at_ = Clock::now();
    migrated_wall_ = std::chrono::system_clock::now();
    ram_generation_ = options_.ram_generation ? options_.ram_generation() : std::nullopt;
    last_migrate_out_s_ = seconds_since(t0);
    move(VmState::kRemote, fmt::format("epoch {}: {} bytes of device state ready in {:.3f} s", epoch_,
                                       state_->size(), *last_migrate_out_s_));
    if (options_.record) options_.record->remove_states(epoch_);
    power(PowerState::kServing);
    return state_->size();
  } catch (const std::exception& e) {
    last_error_ = e.what();
    spdlog::error("desktop VM: migrating out failed: {}", e.what());
    try {
      if (!vm_->running()) vm_->resume_here(options_.migrate_timeout);
    } catch (const std::exception& again) {
      move(VmState::kFailed,
           fmt::format("migration failed ({}) and the VM did not resume: {}", e.what(), again.what()));
      throw VmError(last_error_);
    }
    move(VmState::kRunningLocal, fmt::format("migration failed, the VM runs on here: {}", e.what()));
    power(PowerState::kActive);
    throw VmError(fmt::format("go-idle: {}", e.what()));
  }
}

void VmController::user_returned() {
  {
    std::lock_guard lock(mu_);
    if (!away()) return;  // nothing to bring back
    if (!user_returned_)
      spdlog::info("desktop VM: the user is back; waiting for the server to return epoch {}", epoch_);
    user_returned_ = true;
    persist();
  }
  if (options_.wake_for_user) options_.wake_for_user();
}

std::string VmController::take_back(std::string_view why) {
  std::lock_guard lock(mu_);
  if (phases_.phase() != VmState::kRemote)
    throw VmError(fmt::format("take-back: the VM is {}, not on the server", vm_state_name(phases_.phase())));
  if (ram_generation_ && options_.ram_generation) {
    const std::optional<std::uint64_t> now = options_.ram_generation();
    if (now && *now != *ram_generation_)
      throw VmError(fmt::format(
          "take-back: epoch {}: the server already wrote its dirty pages back into the RAM file (write-back "
          "generation {} -> {}) but never returned the device state: the state saved at migration no longer "
          "matches the RAM, so resuming it would corrupt the guest; only the server's device state can "
          "resume "
          "this VM (it stays remote)",
          epoch_, *ram_generation_, *now));
  }
  // The paused source still runs here: a QEMU process of ours, or a libvirt domain (no pid of ours).
  const VmInstance instance = vm_->instance();
  const bool libvirt = !vm_->domain_ref().name.empty();
  const bool paused_here = instance.pid > 0 || (libvirt && !instance.control_socket.empty());
  std::string lost = fmt::format(
      "epoch {}: the VM resumes from its state at migration, {:.1f} s ago; what it did on the server since "
      "(device state and every page it dirtied there) is lost; the RAM file holds the pre-migration "
      "content",
      epoch_, seconds_since(migrated_at_));
  if (paused_here) {
    vm_->resume_here(options_.migrate_timeout);
  } else {
    // The paused source is gone (a restarted agent found no QEMU): a fresh one loads the saved state.
    if (!state_)
      throw VmError(fmt::format("take-back: epoch {}: no QEMU and no device state to restart from", epoch_));
    lost += fmt::format("; its {} was gone: a new one loaded the saved device state ({} bytes)",
                        libvirt ? "libvirt domain" : "QEMU", state_->size());
    try {
      vm_->migrate_in(*state_, options_.migrate_timeout);
    } catch (const std::exception& e) {
      last_error_ = e.what();
      throw VmError(fmt::format("take-back: restarting the VM from the device state of epoch {}: {}", epoch_,
                                e.what()));
    }
  }
  move(VmState::kRunningLocal, fmt::format("taken back without the server ({}): {}", why, lost));
  user_returned_ = false;
  state_.reset();
  persist();
  power(PowerState::kActive);
  return lost;
}

std::shared_ptr<const std::vector<std::byte>> VmController::device_state(std::uint64_t epoch) const {
  std::lock_guard lock(mu_);
  if (phases_.phase() != VmState::kRemote || !state_)
    throw VmHookError(fmt::format("no device state: the VM is {}", vm_state_name(phases_.phase())));
  if (epoch != epoch_)
    throw VmHookError(fmt::format("no device state for epoch {} (current epoch {})", epoch, epoch_));
  return state_;
}

void VmController::accept_state(std::uint64_t epoch, std::vector<std::byte> state) {
  std::lock_guard lock(mu_);
  if (phases_.phase() != VmState::kRemote)
    throw VmHookError(
        fmt::format("cannot take epoch {} back: the VM is {}", epoch, vm_state_name(phases_.phase())));
  if (epoch != epoch_)
    throw VmHookError(fmt::format("state of epoch {} refused (current epoch {})", epoch, epoch_));
  move(VmState::kReintegrating, fmt::format("epoch {}: {} bytes of device state back", epoch, state.size()));
  power(PowerState::kMigrating);
  const auto t0 = Clock::now();
  try {
    vm_->migrate_in(state, options_.migrate_timeout);
  } catch (const std::exception& e) {
    last_error_ = e.what();
    // The returned state could not be loaded: the epoch stays open (the server may retry, or the
    // desktop takes the VM back from its pre-migration state).
    move(VmState::kRemote, fmt::format("loading the returned state failed: {}", e.what()));
    throw VmHookError(fmt::format("loading the returned device state: {}", e.what()));
  }
  last_migrate_in_s_ = seconds_since(t0);
  user_returned_ = false;
  state_.reset();
  move(VmState::kRunningLocal,
       fmt::format("epoch {}: the VM runs here again ({:.3f} s to load)", epoch, *last_migrate_in_s_));
  power(PowerState::kActive);
}

nlohmann::json VmController::status_json() const {
  const VmStatus s = status();
  nlohmann::json j{{"vm", vm_state_name(s.state)},
                   {"backend", vm_->backend()},
                   {"epoch", s.epoch},
                   {"user_returned", s.user_returned},
                   {"state_bytes", s.state_bytes},
                   {"guest_ram_bytes", s.guest_ram_bytes},
                   {"ram_file", vm_->ram_file().string()}};
  std::lock_guard lock(mu_);
  if (last_migrate_out_s_) j["last_migrate_out_s"] = *last_migrate_out_s_;
  if (last_migrate_in_s_) j["last_migrate_in_s"] = *last_migrate_in_s_;
  if (!last_error_.empty()) j["last_error"] = last_error_;
  if (!adopted_.empty()) j["adopted"] = adopted_;
  const VmInstance instance = vm_->instance();
  if (instance.pid > 0) j["vm_pid"] = instance.pid;
  if (const VmDomainRef d = vm_->domain_ref(); !d.name.empty()) j["vm_domain"] = d.name;
  if (options_.record) j["record"] = options_.record->record_path().string();
  return j;
}

}  // namespace jettison::emu
