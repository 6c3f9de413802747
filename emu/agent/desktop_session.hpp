// The desktop's side of Jettison as one object: the agent (memory server + power backend) over the
// VM's RAM file, the VM controller (where the VM is, migrating it out and back), and the local control
// socket a person or a script drives it with (jettison-ctl):
//
//   go-idle    the VM migrates out (device state only); the server picks it up
//   return     the user is back: the desktop wakes fully and the server reintegrates the VM
//   take-back  the server is gone: the VM resumes here from its state at migration (what is lost is said)
//   status     where the VM is, the power state, pages served, sleeps and wake-ups, the last wake
//
// With `take_back_after`, a user who is back but whose VM the server has not returned within that
// time gets it back by take-back automatically. Without a VM (a plain image), only status works.
// With a record store the VM's record is kept in its --vm-dir; a session given a VmResume continues
// an adopted VM where the previous agent left it (vm_adoption.hpp). The session's end stops a VM that
// runs here and leaves one that is away to the next agent (VmController::close()).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "emu/agent/desktop_agent.hpp"
#include "emu/agent/vm_controller.hpp"
#include "emu/control/control_server.hpp"
#include "emu/vm/desktop_vm.hpp"
#include "policy/migration_trigger.hpp"

namespace jettison::emu {

struct DesktopSessionConfig {
  DesktopAgentConfig agent;              // with a VM, server.image_path is set to the VM's RAM file
  std::filesystem::path control_socket;  // empty: no control socket
  std::optional<Duration> take_back_after;
  // The user is taken to be away from the moment the VM (re)starts running here; after this long the
  // migration trigger (a policy, as in the simulator's policy.trigger) decides whether the VM
  // migrates out; none: only on the go-idle command. The trigger learns each idle period's length
  // when the user returns.
  std::optional<Duration> go_idle_after;
  std::string trigger_rule = "idle-time";
  policy::TriggerParams trigger_params;
  policy::TriggerCosts trigger_costs;
  // Where the VM's record and device states are kept (null: not kept).
  std::shared_ptr<const VmRecordStore> vm_record;
};

class DesktopSession {
 public:
  // `vm` may be null (a plain image). Starts serving.
  DesktopSession(DesktopSessionConfig config, std::unique_ptr<DesktopVm> vm,
                 std::optional<VmResume> resume = std::nullopt);
  ~DesktopSession();

  // Runs until `stop()` returns a reason (polled every 200 ms); returns it.
  std::string run(const std::function<std::string()>& stop);
  nlohmann::json status() const;
  DesktopAgent& agent() { return *agent_; }
  VmController* vm() { return controller_.get(); }

 private:
  nlohmann::json handle(const nlohmann::json& request);
  void tick();

  DesktopSessionConfig config_;
  std::unique_ptr<VmController> controller_;
  std::unique_ptr<DesktopAgent> agent_;
  std::unique_ptr<ControlServer> control_;
  std::optional<std::chrono::steady_clock::time_point> user_back_since_, running_since_, idle_since_;
  std::unique_ptr<policy::MigrationTrigger> trigger_;
};

}  // namespace jettison::emu
