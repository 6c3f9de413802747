// The real power backend, only ever as a dry run: refusal without permission, and the plan of
// actions for each suspend method. No test here writes to /sys or runs a suspend command: every
// backend below performs through a DryRunActuator and points its sysfs root at a temporary folder.
#include "emu/power/real_power.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "emu/power/power_error.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::emu {
namespace {

using K = PowerAction::Kind;

struct DryRun {
  DryRunActuator* actuator = nullptr;
  std::unique_ptr<RealPower> backend;
};

DryRun make(RealPowerConfig config, const std::string& fake_sysfs) {
  config.sysfs = fake_sysfs;  // even the paths in the plan point into the test's folder
  auto actuator = std::make_unique<DryRunActuator>();
  DryRun d{actuator.get(), nullptr};
  d.backend = std::make_unique<RealPower>(std::move(config), std::move(actuator));
  return d;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> described(const std::vector<PowerAction>& actions) {
  std::vector<std::string> out;
  for (const auto& a : actions) out.push_back(a.describe());
  return out;
}

TEST(RealPower, RefusesWithoutAllowSuspendAndDoesNothing) {
  testing::TempDir dir;
  for (bool dry : {false, true}) {
    RealPowerConfig c;
    c.dry_run = dry;
    c.wol_interface = "eth0";
    c.rtc_wake_after = Duration::seconds(60);
    DryRun d = make(c, dir.path().string());
    try {
      d.backend->suspend();
      FAIL() << "suspend() without allow_suspend must throw";
    } catch (const PowerError& e) {
      EXPECT_NE(std::string(e.what()).find("allow_suspend: true"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(d.actuator->performed().empty());
    EXPECT_EQ(d.backend->state(), PowerState::kActive);
  }
}

TEST(RealPower, DryRunPlanForMemDeep) {
  testing::TempDir dir;
  const std::string sys = dir.path().string();
  RealPowerConfig c;
  c.allow_suspend = true;
  c.dry_run = true;
  c.method = SuspendMethod::kMem;
  DryRun d = make(c, sys);
  const std::vector<PowerAction> want{{K::kWriteFile, sys + "/power/mem_sleep", "deep", {}},
                                      {K::kWriteFile, sys + "/power/state", "mem", {}}};
  EXPECT_EQ(d.backend->plan(), want);
  const WakeEvent ev = d.backend->suspend();
  EXPECT_EQ(ev.cause, WakeCause::kDryRun);
  EXPECT_EQ(d.actuator->performed(), want);
  EXPECT_EQ(ev.detail, "write 'deep' to " + sys + "/power/mem_sleep; write 'mem' to " + sys + "/power/state");
  EXPECT_EQ(d.backend->state(), PowerState::kActive);
}

TEST(RealPower, DryRunPlanForFreezeWithWolAndRtc) {
  testing::TempDir dir;
  const std::string sys = dir.path().string();
  RealPowerConfig c;
  c.allow_suspend = true;
  c.dry_run = true;
  c.method = SuspendMethod::kFreeze;
  c.wol_interface = "enp3s0";
  c.rtc_wake_after = Duration::millis(90'500);  // rounded up to whole seconds: +91
  DryRun d = make(c, sys);
  d.backend->suspend();
  EXPECT_EQ(described(d.actuator->performed()),
            (std::vector<std::string>{"ioctl SIOCETHTOOL ETHTOOL_GWOL, then ETHTOOL_SWOL wol g on enp3s0",
                                      "write '0' to " + sys + "/class/rtc/rtc0/wakealarm",
                                      "write '+91' to " + sys + "/class/rtc/rtc0/wakealarm",
                                      "write 'freeze' to " + sys + "/power/state"}));
}

TEST(RealPower, DryRunPlanForLogind) {
  testing::TempDir dir;
  RealPowerConfig c;
  c.allow_suspend = true;
  c.dry_run = true;
  c.method = SuspendMethod::kLogindSystemctl;
  EXPECT_EQ(described(make(c, dir.path().string()).backend->plan()),
            (std::vector<std::string>{"run systemctl suspend"}));
  c.method = SuspendMethod::kLogindBusctl;
  c.wol_interface = "eth0";
  c.wol_password = SecureOnPassword::parse("01:02:03:04:05:06");
  const auto plan = make(c, dir.path().string()).backend->plan();
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].password, c.wol_password);
  EXPECT_EQ(plan[0].describe(), "ioctl SIOCETHTOOL ETHTOOL_GWOL, then ETHTOOL_SWOL wol gs on eth0");
  EXPECT_EQ(plan[1].describe(),
            "run busctl call org.freedesktop.login1 /org/freedesktop/login1 org.freedesktop.login1.Manager "
            "Suspend b false");
}

TEST(RealPower, ConfigDryRunUsesTheRecordingActuator) {
  // dry_run: true alone (no injected actuator) must perform nothing: the sysfs root is a temporary
  // folder whose files are checked to be untouched afterwards.
  testing::TempDir dir;
  const std::string state = dir.write("power/state", "freeze mem\n");
  const std::string mem_sleep = dir.write("power/mem_sleep", "s2idle [deep]\n");
  RealPowerConfig c;
  c.allow_suspend = true;
  c.dry_run = true;
  c.sysfs = dir.path();
  RealPower backend(c);
  EXPECT_EQ(backend.suspend().cause, WakeCause::kDryRun);
  EXPECT_EQ(read_text(state), "freeze mem\n");
  EXPECT_EQ(read_text(mem_sleep), "s2idle [deep]\n");
}

TEST(RealPower, CheckSupportReadsTheSleepStates) {
  testing::TempDir dir;
  RealPowerConfig c;
  c.sysfs = dir.path();
  EXPECT_THROW(RealPower(c, std::make_unique<DryRunActuator>()).check_support(), PowerError);  // no files
  dir.write("power/state", "freeze mem disk\n");
  dir.write("power/mem_sleep", "[s2idle]\n");
  try {
    RealPower(c, std::make_unique<DryRunActuator>()).check_support();
    FAIL() << "no deep sleep offered";
  } catch (const PowerError& e) {
    EXPECT_NE(std::string(e.what()).find("no 'deep'"), std::string::npos) << e.what();
  }
  dir.write("power/mem_sleep", "s2idle [deep]\n");
  EXPECT_NO_THROW(RealPower(c, std::make_unique<DryRunActuator>()).check_support());
  c.method = SuspendMethod::kFreeze;
  dir.write("power/state", "mem disk\n");
  EXPECT_THROW(RealPower(c, std::make_unique<DryRunActuator>()).check_support(), PowerError);
}

TEST(RealPower, ParsesMethodNames) {
  EXPECT_EQ(parse_suspend_method("mem"), SuspendMethod::kMem);
  EXPECT_EQ(parse_suspend_method("freeze"), SuspendMethod::kFreeze);
  EXPECT_EQ(parse_suspend_method("logind"), SuspendMethod::kLogindSystemctl);
  EXPECT_EQ(parse_suspend_method("logind-busctl"), SuspendMethod::kLogindBusctl);
  EXPECT_FALSE(parse_suspend_method("deep"));
  for (auto m : {SuspendMethod::kMem, SuspendMethod::kFreeze, SuspendMethod::kLogindSystemctl,
                 SuspendMethod::kLogindBusctl})
    EXPECT_EQ(parse_suspend_method(name_of(m)), m);
}

}  // namespace
}  // namespace jettison::emu
