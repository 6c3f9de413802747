// The effects a real suspend has on the machine, as data: write a sysfs file, enable Wake-on-LAN
// through ethtool, run a command. A dry-run actuator only records them; the system one does them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "emu/power/mac_address.hpp"

namespace jettison::emu {

struct PowerAction {
  enum class Kind {
    kWriteFile,   // target: file, value: what is written
    kEnableWol,   // target: interface, value: "g" (ETHTOOL_GWOL then ETHTOOL_SWOL with WAKE_MAGIC)
    kRunCommand,  // target: program, value: its arguments, space-separated
  };
  Kind kind = Kind::kWriteFile;
  std::string target;
  std::string value;
  std::optional<SecureOnPassword> password;  // kEnableWol only; never shown by describe()

  // "write 'deep' to /sys/power/mem_sleep", "ioctl SIOCETHTOOL ETHTOOL_SWOL wol g on eth0",
  // "run systemctl suspend".
  std::string describe() const;
  bool operator==(const PowerAction&) const = default;
};

class PowerActuator {
 public:
  virtual ~PowerActuator() = default;
  // Throws PowerError naming the file, interface or command.
  virtual void perform(const PowerAction& action) = 0;
};

// Records what it is asked and touches nothing.
class DryRunActuator : public PowerActuator {
 public:
  void perform(const PowerAction& action) override { performed_.push_back(action); }
  const std::vector<PowerAction>& performed() const { return performed_; }

 private:
  std::vector<PowerAction> performed_;
};

// Does it: sysfs writes, SIOCETHTOOL, fork/exec. Writing "mem" to /sys/power/state suspends the
// machine and returns after the resume.
class SystemActuator : public PowerActuator {
 public:
  void perform(const PowerAction& action) override;
};

}  // namespace jettison::emu
