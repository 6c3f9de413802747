// The desktop agent's side of its VM: where the VM is, as an explicit state machine (the protocol's
// VmState, checked transitions, one log line each), and what moves it:
//
//   running-local --go_idle()--> migrating-out --> remote --(server returns the state)--> reintegrating
//        ^                            |              |                                        |
//        +------(migration failed)----+              +--take_back(): server gone-->-----------+-->
//        running-local
//
// go_idle() migrates the device state out (the guest pauses here; its RAM file is what the memory
// server then serves). user_returned() marks the user back (and wakes a sleeping desktop fully); the
// server sees it in VM_STATUS and reintegrates: dirty pages first (journalled write-back into the RAM
// file), then the device state, which accept_state() loads into a fresh VM over the same RAM file.
// If the server never comes (gone, crashed), take_back() resumes the paused guest from its state at
// migration time and says exactly what is lost; a late return of that epoch is then refused.
// Pages are served only while the VM is away (remote, reintegrating); while it runs here its RAM
// changes under any reader, so page requests and write-backs are refused.
//
// With a record store (the agent's --vm-dir, vm_record.hpp), every transition rewrites the record and
// go_idle() writes the epoch's device state to state-<epoch>.bin before the phase becomes remote, so
// an agent killed at any point is replaced by one that adopts the VM (VmResume) and nothing is lost.
// take_back() works without the QEMU process too: a fresh one loads the saved state over the RAM file.
// take_back() is refused once the server's write-back has been committed into the RAM file (its
// generation moved since the migration): the saved state would no longer match the RAM.
// close() (the agent exits) stops a VM that runs here and leaves one that is away as it is.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "emu/agent/vm_record.hpp"
#include "emu/memserver/vm_hooks.hpp"
#include "emu/power/power_state.hpp"
#include "emu/sys/phase_machine.hpp"
#include "emu/vm/desktop_vm.hpp"
#include "emu/wire/vm_status.hpp"

namespace jettison::emu {

inline std::string_view name_of(VmState s) { return vm_state_name(s); }
bool vm_transition_allowed(VmState from, VmState to);

struct VmControllerOptions {
  Duration migrate_timeout = Duration::seconds(30);  // producing or loading device state
  // Told when the desktop's power state follows the VM (migrating, serving, active).
  std::function<void(PowerState)> set_power_state;
  // The user is back: a sleeping desktop must resume fully (the emulated backend's user_wake()).
  std::function<void()> wake_for_user;
  // Where the VM's record and device states are persisted; null: nowhere (tests of the machine).
  std::shared_ptr<const VmRecordStore> record;
  // The RAM file's write-back generation (the memory server's; nullopt: unknown). A take-back is
  // refused once it moved past the one at migration: the server's pages are then in the RAM file and
  // the state saved at migration no longer matches it.
  std::function<std::optional<std::uint64_t>()> ram_generation;
};

// Where a VM adopted from a record stands (vm_adoption.hpp): the controller starts there instead of
// running-local at epoch 0.
struct VmResume {
  VmState phase = VmState::kRunningLocal;  // running-local or remote
  std::uint64_t epoch = 0;
  bool user_returned = false;
  std::shared_ptr<const std::vector<std::byte>> state;  // remote: the epoch's sealed device state
  std::string note;                                     // what adoption found (status "adopted")
  std::int64_t migrated_unix_ms = 0;            // remote: when the state was saved (0: unknown, taken as now)
  std::optional<std::uint64_t> ram_generation;  // remote: the RAM file's generation at migration
};

class VmController {
 public:
  VmController(std::unique_ptr<DesktopVm> vm, VmControllerOptions options,
               std::optional<VmResume> resume = std::nullopt);
  ~VmController();

  // For MemoryServerConfig::vm.
  VmHooks hooks();

  // Migrates the VM out; returns the device state's size. VmError when the VM is not running here or
  // the migration fails (the VM then runs on here).
  std::uint64_t go_idle();
  // The user is back at the desktop: marks it for the server and wakes the desktop.
  void user_returned();
  // Takes the VM back without the server (its state since migrating is lost); returns what was lost.
  std::string take_back(std::string_view why);
  // The agent exits: a VM running here is stopped (and its record removed); one that is away (or
  // failed) is left as it is, its process and record kept for the next agent. Idempotent.
  void close();

  VmStatus status() const;
  VmState phase() const { return phases_.phase(); }
  const PhaseMachine<VmState>& phases() const { return phases_; }
  nlohmann::json status_json() const;
  DesktopVm& vm() { return *vm_; }

 private:
  std::shared_ptr<const std::vector<std::byte>> device_state(std::uint64_t epoch) const;
  void accept_state(std::uint64_t epoch, std::vector<std::byte> state);
  bool away() const;
  void power(PowerState s) const;
  // phases_.to() and the record rewritten (mu_ held).
  void move(VmState next, std::string_view why);
  void persist() const;

  std::unique_ptr<DesktopVm> vm_;
  VmControllerOptions options_;
  PhaseMachine<VmState> phases_;
  mutable std::mutex mu_;  // one move at a time; guards what follows
  std::uint64_t epoch_ = 0;
  bool user_returned_ = false;
  std::shared_ptr<const std::vector<std::byte>> state_;  // the epoch's device state, as sealed
  std::chrono::steady_clock::time_point migrated_at_{};
  std::chrono::system_clock::time_point migrated_wall_{};  // the same, for the record
  std::optional<std::uint64_t> ram_generation_;            // the RAM file's generation at migration
  std::optional<double> last_migrate_out_s_, last_migrate_in_s_;
  std::string last_error_;
  std::string adopted_;  // what adoption found, if the VM was adopted
  bool closed_ = false;
};

}  // namespace jettison::emu
