#include "emu/power/real_power.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <time.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "emu/power/power_error.hpp"
#include "emu/power/sleep_modes.hpp"

namespace jettison::emu {
namespace {

constexpr const char* kBusctlArgs =
    "call org.freedesktop.login1 /org/freedesktop/login1 org.freedesktop.login1.Manager Suspend b false";

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  if (!in) throw PowerError(p.string() + ": cannot read (is this a Linux host with suspend support?)");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// CLOCK_BOOTTIME - CLOCK_MONOTONIC: grows by the time spent suspended.
Duration suspended_so_far() {
  timespec mono{};
  ::clock_gettime(CLOCK_MONOTONIC, &mono);
  const Duration m =
      Duration::micros(static_cast<std::int64_t>(mono.tv_sec) * 1'000'000 + mono.tv_nsec / 1000);
  return boottime_now() - m;
}

}  // namespace

std::optional<SuspendMethod> parse_suspend_method(std::string_view text) {
  if (text == "mem") return SuspendMethod::kMem;
  if (text == "freeze") return SuspendMethod::kFreeze;
  if (text == "logind") return SuspendMethod::kLogindSystemctl;
  if (text == "logind-busctl") return SuspendMethod::kLogindBusctl;
  return std::nullopt;
}

std::string_view name_of(SuspendMethod m) {
  switch (m) {
    case SuspendMethod::kMem:
      return "mem";
    case SuspendMethod::kFreeze:
      return "freeze";
    case SuspendMethod::kLogindSystemctl:
      return "logind";
    case SuspendMethod::kLogindBusctl:
      return "logind-busctl";
  }
  return "?";
}

RealPower::RealPower(RealPowerConfig config)
    : RealPower(config, config.dry_run ? std::unique_ptr<PowerActuator>(std::make_unique<DryRunActuator>())
                                       : std::unique_ptr<PowerActuator>(std::make_unique<SystemActuator>())) {
}

RealPower::RealPower(RealPowerConfig config, std::unique_ptr<PowerActuator> actuator)
    : config_(std::move(config)), actuator_(std::move(actuator)) {}

std::vector<PowerAction> RealPower::plan() const {
  using K = PowerAction::Kind;
  const auto power = config_.sysfs / "power";
  std::vector<PowerAction> out;
  if (config_.wol_interface)
    out.push_back({K::kEnableWol, *config_.wol_interface, "g", config_.wol_password});
  if (config_.rtc_wake_after) {
    const auto alarm = (config_.sysfs / "class/rtc/rtc0/wakealarm").string();
    const std::int64_t secs = (config_.rtc_wake_after->us() + 999'999) / 1'000'000;
    out.push_back({K::kWriteFile, alarm, "0", {}});  // clear a pending alarm, or the next write fails
    out.push_back({K::kWriteFile, alarm, fmt::format("+{}", secs), {}});
  }
  switch (config_.method) {
    case SuspendMethod::kMem:
      out.push_back({K::kWriteFile, (power / "mem_sleep").string(), "deep", {}});
      out.push_back({K::kWriteFile, (power / "state").string(), "mem", {}});
      break;
    case SuspendMethod::kFreeze:
      out.push_back({K::kWriteFile, (power / "state").string(), "freeze", {}});
      break;
    case SuspendMethod::kLogindSystemctl:
      out.push_back({K::kRunCommand, "systemctl", "suspend", {}});
      break;
    case SuspendMethod::kLogindBusctl:
      out.push_back({K::kRunCommand, "busctl", kBusctlArgs, {}});
      break;
  }
  return out;
}

void RealPower::check_support() const {
  if (config_.method == SuspendMethod::kLogindSystemctl || config_.method == SuspendMethod::kLogindBusctl)
    return;
  const auto state_file = config_.sysfs / "power/state";
  const auto states = parse_power_states(read_file(state_file), state_file.string());
  const std::string want = config_.method == SuspendMethod::kMem ? "mem" : "freeze";
  if (std::find(states.begin(), states.end(), want) == states.end())
    throw PowerError(state_file.string() + ": this machine does not offer '" + want + "'");
  if (config_.method == SuspendMethod::kMem) {
    const auto ms_file = config_.sysfs / "power/mem_sleep";
    if (!parse_mem_sleep(read_file(ms_file), ms_file.string()).offers("deep"))
      throw PowerError(ms_file.string() + ": no 'deep' (S3) sleep here; use method freeze (s2idle)");
  }
}

WakeEvent RealPower::suspend() {
  if (!config_.allow_suspend)
    throw PowerError("refusing to suspend: the power configuration does not set allow_suspend: true");
  const std::vector<PowerAction> actions = plan();
  WakeEvent ev;
  if (config_.dry_run) {
    for (const PowerAction& a : actions) {
      spdlog::info("power[real, dry run]: would {}", a.describe());
      actuator_->perform(a);
      ev.detail += (ev.detail.empty() ? "" : "; ") + a.describe();
    }
    ev.cause = WakeCause::kDryRun;
    return ev;
  }
  check_support();
  const PowerState before = clock_.state();
  clock_.enter(PowerState::kSuspending);
  try {
    for (std::size_t i = 0; i + 1 < actions.size(); ++i) actuator_->perform(actions[i]);
    const Duration suspended_before = suspended_so_far();
    clock_.enter(PowerState::kAsleep);
    actuator_->perform(actions.back());  // a sysfs write returns after the resume
    if (config_.method == SuspendMethod::kLogindSystemctl || config_.method == SuspendMethod::kLogindBusctl) {
      // logind suspends asynchronously: wait (bounded) until the suspended time grows.
      const auto step = std::chrono::milliseconds(100);
      const std::int64_t steps = config_.logind_resume_timeout.us() / 100'000;
      for (std::int64_t i = 0; i < steps && suspended_so_far() - suspended_before < Duration::millis(500);
           ++i)
        std::this_thread::sleep_for(step);
    }
    ev.asleep = suspended_so_far() - suspended_before;
  } catch (...) {
    clock_.enter(before);
    throw;
  }
  clock_.enter(PowerState::kResumingFull);
  ev.resume = ResumeKind::kFull;
  ev.cause = config_.rtc_wake_after && ev.asleep + Duration::seconds(1) >= *config_.rtc_wake_after
                 ? WakeCause::kAlarm
                 : WakeCause::kUnknown;
  ev.detail = std::string("via ") + std::string(name_of(config_.method));
  clock_.enter(PowerState::kActive);
  spdlog::info("power[real]: back up after {:.1f} s suspended ({})", ev.asleep.seconds_f(),
               name_of(ev.cause));
  return ev;
}

}  // namespace jettison::emu
