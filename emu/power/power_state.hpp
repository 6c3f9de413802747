// The desktop power states the emulator reports, with the same names and order as the simulator's
// (sim/model/power_state.hpp), so emulated and simulated state times line up column for column.
// sim and emu may not include each other: this list should move to common/ and be shared.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/time.hpp"

namespace jettison::emu {

enum class PowerState : std::uint8_t {
  kActive,             // user at the desktop
  kIdle,               // user away, desktop fully on
  kMigrating,          // VM state moving; desktop on
  kSuspending,         // entering sleep
  kAsleep,             // S3 or s2idle; only the NIC's wake logic is powered
  kResumingFull,       // full resume (the user came back)
  kResumingSelective,  // selective resume: memory, CPU and NIC only, to serve pages
  kServing,            // awake in the selective context, serving page requests
};

inline constexpr std::size_t kPowerStateCount = 8;

inline constexpr std::array<std::string_view, kPowerStateCount> kPowerStateNames{
    "active", "idle", "migrating", "suspending", "asleep", "resuming_full", "resuming_selective", "serving"};

constexpr std::string_view name_of(PowerState s) { return kPowerStateNames[static_cast<std::size_t>(s)]; }
constexpr std::size_t index_of(PowerState s) { return static_cast<std::size_t>(s); }

// Time spent in each state, indexed by index_of(state).
using StateTimes = std::array<Duration, kPowerStateCount>;

}  // namespace jettison::emu
