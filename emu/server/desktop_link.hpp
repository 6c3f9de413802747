// What the hosting session asks of the desktop agent about its VM, apart from pages: is the VM idle
// and migrated out (its device state ready), is the user back, the device state itself, and the
// state going back on reintegration. The wire implementation (desktop_link_client.hpp) speaks the
// protocol's VM messages over a connection of its own; tests use fakes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/time.hpp"

namespace jettison::emu {

struct DesktopVmStatus {
  bool remote = false;         // the VM has migrated out and its device state is ready
  bool user_returned = false;  // the user is back at the desktop: reintegrate
  std::uint64_t epoch = 0;     // the migration's number
  std::uint64_t state_bytes = 0, guest_ram_bytes = 0;
};

class DesktopLink {
 public:
  virtual ~DesktopLink() = default;
  // The VM's status, or nullopt when the desktop cannot be reached right now. Never wakes it: a
  // sleeping desktop is merely unreachable.
  virtual std::optional<DesktopVmStatus> status() = 0;
  // The device state of migration `epoch`. Throws on failure (the period does not start).
  virtual std::vector<std::byte> device_state(std::uint64_t epoch) = 0;
  // Sends the VM's device state back; returns once the desktop runs the VM again. Throws on failure.
  virtual void return_state(std::uint64_t epoch, std::span<const std::byte> state, Duration timeout) = 0;
};

}  // namespace jettison::emu
