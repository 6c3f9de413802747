#include "emu/agent/vm_controller.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace jettison::emu {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

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

VmController::VmController(std::unique_ptr<DesktopVm> vm, VmControllerOptions options)
    : vm_(std::move(vm)),
      options_(std::move(options)),
      phases_("desktop VM", VmState::kRunningLocal, &vm_transition_allowed) {
  power(PowerState::kActive);
}

VmController::~VmController() = default;

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
  phases_.to(VmState::kMigratingOut, fmt::format("go idle: migrating epoch {} out", epoch_ + 1));
  power(PowerState::kMigrating);
  const auto t0 = Clock::now();
  try {
    auto state = std::make_shared<const std::vector<std::byte>>(vm_->migrate_out(options_.migrate_timeout));
    ++epoch_;
    state_ = std::move(state);
    user_returned_ = false;
    migrated_at_ = Clock::now();
    last_migrate_out_s_ = seconds_since(t0);
    phases_.to(VmState::kRemote, fmt::format("epoch {}: {} bytes of device state ready in {:.3f} s", epoch_,
                                             state_->size(), *last_migrate_out_s_));
    power(PowerState::kServing);
    return state_->size();
  } catch (const std::exception& e) {
    last_error_ = e.what();
    spdlog::error("desktop VM: migrating out failed: {}", e.what());
    try {
      if (!vm_->running()) vm_->resume_here(options_.migrate_timeout);
    } catch (const std::exception& again) {
      phases_.to(VmState::kFailed, fmt::format("migration failed ({}) and the VM did not resume: {}", e.what(),
                                               again.what()));
      throw VmError(last_error_);
    }
    phases_.to(VmState::kRunningLocal, fmt::format("migration failed, the VM runs on here: {}", e.what()));
    power(PowerState::kActive);
    throw VmError(fmt::format("go-idle: {}", e.what()));
  }
}

void VmController::user_returned() {
  {
    std::lock_guard lock(mu_);
    if (!away()) return;  // nothing to bring back
    if (!user_returned_) spdlog::info("desktop VM: the user is back; waiting for the server to return epoch {}", epoch_);
    user_returned_ = true;
  }
  if (options_.wake_for_user) options_.wake_for_user();
}

std::string VmController::take_back(std::string_view why) {
  std::lock_guard lock(mu_);
  if (phases_.phase() != VmState::kRemote)
    throw VmError(fmt::format("take-back: the VM is {}, not on the server", vm_state_name(phases_.phase())));
  const std::string lost = fmt::format(
      "epoch {}: the VM resumes from its state at migration, {:.1f} s ago; what it did on the server since "
      "(device state and every page it dirtied there) is lost; the RAM file holds the pre-migration "
      "content",
      epoch_, seconds_since(migrated_at_));
  vm_->resume_here(options_.migrate_timeout);
  phases_.to(VmState::kRunningLocal, fmt::format("taken back without the server ({}): {}", why, lost));
  user_returned_ = false;
  state_.reset();
  power(PowerState::kActive);
  return lost;
}

std::shared_ptr<const std::vector<std::byte>> VmController::device_state(std::uint64_t epoch) const {
  std::lock_guard lock(mu_);
  if (phases_.phase() != VmState::kRemote || !state_)
    throw VmHookError(fmt::format("no device state: the VM is {}", vm_state_name(phases_.phase())));
  if (epoch != epoch_) throw VmHookError(fmt::format("no device state for epoch {} (current epoch {})", epoch, epoch_));
  return state_;
}

void VmController::accept_state(std::uint64_t epoch, std::vector<std::byte> state) {
  std::lock_guard lock(mu_);
  if (phases_.phase() != VmState::kRemote)
    throw VmHookError(fmt::format("cannot take epoch {} back: the VM is {}", epoch, vm_state_name(phases_.phase())));
  if (epoch != epoch_) throw VmHookError(fmt::format("state of epoch {} refused (current epoch {})", epoch, epoch_));
  phases_.to(VmState::kReintegrating, fmt::format("epoch {}: {} bytes of device state back", epoch, state.size()));
  power(PowerState::kMigrating);
  const auto t0 = Clock::now();
  try {
    vm_->migrate_in(state, options_.migrate_timeout);
  } catch (const std::exception& e) {
    last_error_ = e.what();
    // The returned state could not be loaded: the epoch stays open (the server may retry, or the
    // desktop takes the VM back from its pre-migration state).
    phases_.to(VmState::kRemote, fmt::format("loading the returned state failed: {}", e.what()));
    throw VmHookError(fmt::format("loading the returned device state: {}", e.what()));
  }
  last_migrate_in_s_ = seconds_since(t0);
  user_returned_ = false;
  state_.reset();
  phases_.to(VmState::kRunningLocal, fmt::format("epoch {}: the VM runs here again ({:.3f} s to load)", epoch,
                                                 *last_migrate_in_s_));
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
  return j;
}

}  // namespace jettison::emu
