// A desktop that "sleeps" without suspending the machine (tests, laptops as lab desktops):
// suspend() calls on_sleep (the agent stops serving and closes connections), waits the suspend
// delay, then listens for a magic packet on its interface. A valid packet, after the resume delay
// (selective by default), calls on_wake and returns. Time in each state is counted for energy.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "emu/power/power_backend.hpp"
#include "emu/power/state_clock.hpp"
#include "emu/power/wol_listener.hpp"

namespace jettison::emu {

struct EmulatedPowerConfig {
  WolListenerConfig listener;  // interface, MAC, password, UDP port and/or raw
  Duration suspend_delay = Duration::millis(0);
  Duration resume_selective_delay = Duration::millis(0);
  Duration resume_full_delay = Duration::millis(0);
  ResumeKind packet_resume = ResumeKind::kSelective;  // how a magic packet resumes the desktop
  std::optional<Duration> max_sleep;                  // an RTC-like alarm; none: sleep until woken
  PowerState initial_state = PowerState::kServing;
};

struct PowerHooks {
  std::function<void()> on_sleep;                 // stop serving threads, close connections
  std::function<void(const WakeEvent&)> on_wake;  // serve again
};

class EmulatedPower : public PowerBackend {
 public:
  // Opens the listener now, in the calling thread's network namespace. Throws PowerError.
  EmulatedPower(EmulatedPowerConfig config, PowerHooks hooks);
  ~EmulatedPower() override;

  std::string_view name() const override { return "emulated"; }
  WakeEvent suspend() override;
  PowerState state() const override { return clock_.state(); }
  StateTimes state_times() const override { return clock_.times(); }

  // The user came back: a sleeping desktop resumes fully. Ignored when awake.
  void user_wake();
  // A suspend() in progress returns (cause kShutdown) without waiting for a packet.
  void shutdown();
  // Records a state the agent is in outside suspend() (active, idle, migrating, serving).
  void set_state(PowerState s) { enter(s); }
  // True once state() == s, false after `timeout`.
  bool wait_for_state(PowerState s, std::chrono::milliseconds timeout) const;

  const StateClock& clock() const { return clock_; }
  WolListenerStats listener_stats() const { return listener_->stats(); }

 private:
  void enter(PowerState s);
  // Sleeps `d` unless shutdown() comes first.
  void pause(Duration d);

  EmulatedPowerConfig config_;
  PowerHooks hooks_;
  StateClock clock_;
  std::unique_ptr<WolListener> listener_;
  std::atomic<bool> user_wake_{false};
  std::atomic<bool> shutdown_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
};

}  // namespace jettison::emu
