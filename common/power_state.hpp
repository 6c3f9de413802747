// The desktop power states of the energy model (see the architecture page), a power per state and a
// time per state. Shared by sim and emu so simulated and emulated state times line up column for
// column (CSV `t_<state>_s`).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/quantity.hpp"
#include "common/time.hpp"

namespace jettison {

enum class PowerState : std::uint8_t {
  kActive,             // user at the desktop, VM running locally
  kIdle,               // user away, VM local, desktop fully on (the always-on baseline)
  kMigrating,          // VM state being sent to or from the server; desktop on
  kSuspending,         // entering sleep
  kAsleep,             // S3 or s2idle; only the NIC's wake logic is powered
  kResumingFull,       // full resume: every device (the user came back)
  kResumingSelective,  // selective resume: memory, CPU and NIC only, to serve pages
  kServing,            // awake in the selective context, serving page requests
};

inline constexpr std::size_t kPowerStateCount = 8;

// Names as used in YAML keys and CSV columns.
inline constexpr std::array<std::string_view, kPowerStateCount> kPowerStateNames{
    "active", "idle", "migrating", "suspending", "asleep", "resuming_full", "resuming_selective", "serving"};

constexpr std::string_view name_of(PowerState s) { return kPowerStateNames[static_cast<std::size_t>(s)]; }
constexpr std::size_t index_of(PowerState s) { return static_cast<std::size_t>(s); }

struct PowerTable {
  std::array<Power, kPowerStateCount> watts{};
  Power operator[](PowerState s) const { return watts[index_of(s)]; }
  Power& operator[](PowerState s) { return watts[index_of(s)]; }
};

// Time spent in each state, indexed by index_of(state).
using StateTimes = std::array<Duration, kPowerStateCount>;

}  // namespace jettison
