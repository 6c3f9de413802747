// Time spent in each power state, measured with CLOCK_BOOTTIME: monotonic, and unlike
// CLOCK_MONOTONIC it keeps counting while the machine is suspended, so a real backend's `asleep`
// time is counted too. Thread-safe: the backend changes state, anyone may read.
#pragma once

#include <functional>
#include <mutex>

#include "emu/power/power_state.hpp"

namespace jettison::emu {

// Now on CLOCK_BOOTTIME, as a Duration since boot.
Duration boottime_now();

class StateClock {
 public:
  // `now` is injectable for tests; the default reads CLOCK_BOOTTIME.
  explicit StateClock(PowerState initial, std::function<Duration()> now = boottime_now);

  // Leaves the current state (adding its time) and enters `s`, even if it is the same state.
  void enter(PowerState s);
  PowerState state() const;
  // Times so far, the current state counted up to now.
  StateTimes times() const;
  // How many times each state was entered (the initial state counts once).
  std::array<std::uint64_t, kPowerStateCount> entries() const;
  // Time since the clock started: equals the sum of times().
  Duration elapsed() const;

 private:
  std::function<Duration()> now_;
  mutable std::mutex mutex_;
  PowerState state_;
  Duration start_;
  Duration since_;
  StateTimes times_{};
  std::array<std::uint64_t, kPowerStateCount> entries_{};
};

}  // namespace jettison::emu
