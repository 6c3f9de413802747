#include "emu/agent/desktop_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "common/input_error.hpp"
#include "emu/agent/desktop_status.hpp"
#include "emu/control/status_text.hpp"
#include "policy/migration_triggers.hpp"

namespace jettison::emu {
namespace {

using Clock = std::chrono::steady_clock;

Duration since(Clock::time_point t) {
  return Duration::micros(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t).count());
}

bool elapsed(std::optional<Clock::time_point> since, std::optional<Duration> limit) {
  return since && limit && Clock::now() - *since >= std::chrono::microseconds(limit->us());
}

}  // namespace

DesktopSession::DesktopSession(DesktopSessionConfig config, std::unique_ptr<DesktopVm> vm,
                               std::optional<VmResume> resume)
    : config_(std::move(config)) {
  if (config_.go_idle_after) {
    const auto* rule = policy::migration_triggers().find(config_.trigger_rule);
    if (rule == nullptr)
      throw InputError("--trigger", fmt::format("unknown migration trigger '{}' (choose one of: {})",
                                                config_.trigger_rule, policy::migration_triggers().names()));
    trigger_ = rule->make(config_.trigger_params, config_.trigger_costs);
  }
  if (vm) {
    config_.agent.server.image_path = vm->ram_file();
    VmControllerOptions options;
    options.set_power_state = [this](PowerState s) {
      if (agent_) agent_->set_power_state(s);
    };
    options.wake_for_user = [this] {
      if (agent_) agent_->user_wake();
    };
    options.record = config_.vm_record;
    options.ram_generation = [this]() -> std::optional<std::uint64_t> {
      if (!agent_) return std::nullopt;
      return agent_->server().generation();
    };
    controller_ = std::make_unique<VmController>(std::move(vm), std::move(options), std::move(resume));
    config_.agent.server.vm = controller_->hooks();
    if (controller_->phase() == VmState::kRunningLocal) running_since_ = Clock::now();
    if (controller_->status().user_returned) user_back_since_ = Clock::now();
  }
  agent_ = std::make_unique<DesktopAgent>(config_.agent);
  if (controller_)
    agent_->set_power_state(controller_->phase() == VmState::kRunningLocal ? PowerState::kActive
                                                                           : PowerState::kServing);
  agent_->start();
  if (!config_.control_socket.empty())
    control_ = std::make_unique<ControlServer>(config_.control_socket,
                                               [this](const nlohmann::json& r) { return handle(r); });
}

DesktopSession::~DesktopSession() {
  control_.reset();
  if (agent_) agent_->stop();
  if (controller_) controller_->close();
}

nlohmann::json DesktopSession::status() const {
  DesktopStatus d;
  d.power = agent_->state();
  d.serving = agent_->serving();
  d.stats = agent_->stats();
  d.image = config_.agent.server.image_path.string();
  d.generation = agent_->server().generation();
  d.write_back_in_progress = agent_->server().write_back_in_progress();
  if (controller_) {
    d.vm_state = controller_->phase();
    d.vm = controller_->status_json();
  }
  return to_json(d, unix_millis_now());
}

nlohmann::json DesktopSession::handle(const nlohmann::json& request) {
  const std::string cmd = request.at("cmd").get<std::string>();
  if (cmd == "status") return status();
  if (!controller_)
    throw std::runtime_error(fmt::format("'{}': this agent serves a plain image, no VM", cmd));
  if (cmd == "go-idle") {
    const std::uint64_t bytes = controller_->go_idle();
    running_since_.reset();
    return {{"epoch", controller_->status().epoch}, {"state_bytes", bytes}};
  }
  if (cmd == "return") {
    if (idle_since_ && trigger_) trigger_->on_period_end(since(*idle_since_));
    idle_since_.reset();
    controller_->user_returned();
    if (!user_back_since_) user_back_since_ = Clock::now();
    return {{"epoch", controller_->status().epoch}, {"vm", vm_state_name(controller_->phase())}};
  }
  if (cmd == "take-back") {
    const std::string lost = controller_->take_back("take-back command");
    user_back_since_.reset();
    running_since_ = Clock::now();
    return {{"lost", lost}};
  }
  throw std::runtime_error(fmt::format("unknown command '{}' (go-idle, return, take-back, status)", cmd));
}

void DesktopSession::tick() {
  if (!controller_) return;
  const VmState phase = controller_->phase();
  if (phase == VmState::kRunningLocal) {
    user_back_since_.reset();
    if (!running_since_) running_since_ = Clock::now();
    if (elapsed(running_since_, config_.go_idle_after)) {
      idle_since_ = running_since_;
      running_since_.reset();
      const policy::TriggerAction action = trigger_->decide(since(*idle_since_));
      if (action != policy::TriggerAction::kMigrate) {
        spdlog::info("desktop: migration trigger '{}' says {} for this idle period: the VM stays here",
                     config_.trigger_rule,
                     action == policy::TriggerAction::kSleepOnly ? "sleep-only" : "stay-on");
        return;
      }
      try {
        controller_->go_idle();
      } catch (const std::exception& e) {
        spdlog::error("desktop: going idle by itself: {}", e.what());
        running_since_ = Clock::now();
      }
    }
    return;
  }
  if (phase == VmState::kRemote && elapsed(user_back_since_, config_.take_back_after)) {
    try {
      const std::string lost = controller_->take_back(
          fmt::format("the server did not return the VM within {:.1f} s of the user's return",
                      config_.take_back_after->seconds_f()));
      spdlog::warn("desktop: took the VM back without the server: {}", lost);
      running_since_ = Clock::now();
    } catch (const std::exception& e) {
      spdlog::error("desktop: take-back failed: {}", e.what());
    }
    user_back_since_.reset();
  }
}

std::string DesktopSession::run(const std::function<std::string()>& stop) {
  while (true) {
    if (std::string why = stop(); !why.empty()) return why;
    tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace jettison::emu
