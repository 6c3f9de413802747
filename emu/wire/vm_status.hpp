// The state of a desktop's VM as the protocol reports it (VM_STATUS_ACK, PROTOCOL.md "VM messages"):
// where the VM runs, whether its user came back, and which migration (epoch) it is in.
#pragma once

#include <cstdint>

namespace jettison::emu {

enum class VmState : std::uint32_t {
  kNone = 0,           // no VM: the agent serves a plain image
  kRunningLocal = 1,   // the VM runs on the desktop
  kMigratingOut = 2,   // its device state is being produced
  kRemote = 3,         // the VM runs on the server; its device state is available
  kReintegrating = 4,  // the server is sending the VM back
  kFailed = 5,
};
inline constexpr std::uint32_t kMaxVmState = 5;

inline const char* vm_state_name(VmState state) {
  switch (state) {
    case VmState::kNone:
      return "none";
    case VmState::kRunningLocal:
      return "running-local";
    case VmState::kMigratingOut:
      return "migrating-out";
    case VmState::kRemote:
      return "remote";
    case VmState::kReintegrating:
      return "reintegrating";
    case VmState::kFailed:
      return "failed";
  }
  return "unknown";
}

struct VmStatus {
  VmState state = VmState::kNone;
  bool user_returned = false;         // the user is back at the desktop: reintegrate
  std::uint64_t epoch = 0;            // the migration number, +1 per migration
  std::uint64_t state_bytes = 0;      // size of the device state ready (0 if none)
  std::uint64_t guest_ram_bytes = 0;  // the guest's RAM
  bool operator==(const VmStatus&) const = default;
};

}  // namespace jettison::emu
