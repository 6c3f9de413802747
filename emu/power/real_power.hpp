// Suspends the real machine: through /sys/power/state (`mem` with mem_sleep `deep`, or `freeze` for
// s2idle) or through logind, after enabling Wake-on-LAN on the NIC and optionally arming the RTC
// alarm. It refuses unless the configuration says allow_suspend: true. In dry-run mode it performs
// nothing and reports what it would have done (plan()).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emu/power/power_actuator.hpp"
#include "emu/power/power_backend.hpp"
#include "emu/power/state_clock.hpp"

namespace jettison::emu {

enum class SuspendMethod {
  kMem,              // "deep" > /sys/power/mem_sleep, "mem" > /sys/power/state (S3)
  kFreeze,           // "freeze" > /sys/power/state (s2idle)
  kLogindSystemctl,  // systemctl suspend
  kLogindBusctl,     // busctl call org.freedesktop.login1 ... Suspend b false
};

// "mem", "freeze", "logind", "logind-busctl"; nullopt otherwise.
std::optional<SuspendMethod> parse_suspend_method(std::string_view text);
std::string_view name_of(SuspendMethod m);

struct RealPowerConfig {
  bool allow_suspend = false;  // nothing is ever suspended without it
  bool dry_run = false;        // record the actions, perform none
  SuspendMethod method = SuspendMethod::kMem;
  std::optional<std::string> wol_interface;      // enable magic-packet wake on this NIC first
  std::optional<SecureOnPassword> wol_password;  // SecureOn (6 bytes) for that NIC
  std::optional<Duration> rtc_wake_after;        // arm /sys/class/rtc/rtc0/wakealarm
  std::filesystem::path sysfs = "/sys";
  Duration logind_resume_timeout = Duration::seconds(300);  // logind suspends asynchronously
};

class RealPower : public PowerBackend {
 public:
  // Performs through a SystemActuator, or a DryRunActuator when config.dry_run.
  explicit RealPower(RealPowerConfig config);
  // Performs through `actuator` (tests pass a DryRunActuator).
  RealPower(RealPowerConfig config, std::unique_ptr<PowerActuator> actuator);

  std::string_view name() const override { return "real"; }
  // The actions suspend() performs, in order; the last one suspends. Reads and writes nothing.
  std::vector<PowerAction> plan() const;
  // Reads /sys/power/state (and mem_sleep for kMem) and throws PowerError if the method is missing.
  void check_support() const;
  // Throws PowerError when allow_suspend is false. In dry-run mode returns cause kDryRun with the
  // plan in `detail`.
  WakeEvent suspend() override;
  PowerState state() const override { return clock_.state(); }
  StateTimes state_times() const override { return clock_.times(); }

 private:
  RealPowerConfig config_;
  std::unique_ptr<PowerActuator> actuator_;
  StateClock clock_{PowerState::kActive};
};

}  // namespace jettison::emu
