// Energy as an observer of state changes: the meter is told each change of power state and adds the
// time spent in the state being left. Energy = sum of power x time per state, computed on demand.
#pragma once

#include <array>
#include <cassert>
#include <vector>

#include "sim/model/power_state.hpp"

namespace jettison::sim {

struct StateChange {
  Time at;
  PowerState state;
};

class PowerMeter {
 public:
  // Every later change is also appended to `log` (the timeline of chosen desktops); null: none.
  void record_to(std::vector<StateChange>* log) { log_ = log; }
  std::vector<StateChange>* log() const { return log_; }
  void start(Time t, PowerState s) {
    times_.fill(Duration{});
    state_ = s;
    since_ = t;
    if (log_) log_->push_back({t, s});
  }
  void change(Time t, PowerState s) {
    assert(t >= since_);
    times_[index_of(state_)] += t - since_;
    since_ = t;
    state_ = s;
    if (log_) log_->push_back({t, s});
  }
  // Closes the window at t: the desktop is the user's again (logged as `active`).
  void stop(Time t) {
    assert(t >= since_);
    times_[index_of(state_)] += t - since_;
    since_ = t;
    if (log_) log_->push_back({t, PowerState::kActive});
  }

  PowerState state() const { return state_; }
  Duration time_in(PowerState s) const { return times_[index_of(s)]; }
  const std::array<Duration, kPowerStateCount>& times() const { return times_; }
  Duration total() const {
    Duration sum;
    for (Duration d : times_) sum += d;
    return sum;
  }
  Energy energy(const PowerTable& power) const {
    Energy e;
    for (std::size_t i = 0; i < kPowerStateCount; ++i) e += power.watts[i] * times_[i];
    return e;
  }

 private:
  std::array<Duration, kPowerStateCount> times_{};
  PowerState state_ = PowerState::kActive;
  Time since_;
  std::vector<StateChange>* log_ = nullptr;
};

}  // namespace jettison::sim
