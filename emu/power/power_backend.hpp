// What the desktop agent calls to sleep: suspend() returns when the desktop is back up and says how
// it woke; state() and state_times() report where it is and where its time went.
#pragma once

#include <string>
#include <string_view>

#include "emu/power/power_state.hpp"

namespace jettison::emu {

enum class WakeCause {
  kMagicPacket,  // a Wake-on-LAN packet (the server wants pages)
  kUser,         // the user came back
  kAlarm,        // the RTC alarm (or the emulated backend's max sleep)
  kShutdown,     // the backend was told to stop while asleep
  kDryRun,       // nothing was done (real backend in dry-run mode)
  kUnknown,      // back up, cause not known (a real resume without a recognisable source)
};

enum class ResumeKind {
  kSelective,  // memory, CPU and NIC only: serve pages, display and disks stay off
  kFull,       // every device
};

constexpr std::string_view name_of(WakeCause c) {
  constexpr std::string_view names[] = {"magic_packet", "user", "alarm", "shutdown", "dry_run", "unknown"};
  return names[static_cast<int>(c)];
}
constexpr std::string_view name_of(ResumeKind k) {
  return k == ResumeKind::kSelective ? "selective" : "full";
}

struct WakeEvent {
  WakeCause cause = WakeCause::kUnknown;
  ResumeKind resume = ResumeKind::kFull;
  Duration asleep;     // time spent in `asleep`
  std::string detail;  // for logs: who sent the packet, which file was written, ...
};

class PowerBackend {
 public:
  virtual ~PowerBackend() = default;
  virtual std::string_view name() const = 0;
  // Puts the desktop to sleep and returns once it is back up. Throws PowerError (refused, failed).
  virtual WakeEvent suspend() = 0;
  virtual PowerState state() const = 0;
  virtual StateTimes state_times() const = 0;
};

}  // namespace jettison::emu
