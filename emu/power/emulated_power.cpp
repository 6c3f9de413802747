#include "emu/power/emulated_power.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace jettison::emu {
namespace {

using std::chrono::milliseconds;

milliseconds to_ms(Duration d) { return milliseconds(std::max<std::int64_t>(0, (d.us() + 999) / 1000)); }

}  // namespace

EmulatedPower::EmulatedPower(EmulatedPowerConfig config, PowerHooks hooks)
    : config_(std::move(config)),
      hooks_(std::move(hooks)),
      clock_(config_.initial_state),
      listener_(std::make_unique<WolListener>(config_.listener)) {}

EmulatedPower::~EmulatedPower() = default;

void EmulatedPower::enter(PowerState s) {
  {
    std::lock_guard lock(mutex_);
    clock_.enter(s);
  }
  changed_.notify_all();
  spdlog::debug("power[emulated]: {}", name_of(s));
}

bool EmulatedPower::wait_for_state(PowerState s, milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return clock_.state() == s; });
}

void EmulatedPower::pause(Duration d) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, std::chrono::microseconds(d.us()), [&] { return shutdown_.load(); });
}

void EmulatedPower::user_wake() {
  user_wake_ = true;
  listener_->interrupt();
}

void EmulatedPower::shutdown() {
  {
    std::lock_guard lock(mutex_);
    shutdown_ = true;
  }
  changed_.notify_all();
  listener_->interrupt();
}

WakeEvent EmulatedPower::suspend() {
  const std::string& ifname = config_.listener.interface;
  spdlog::info("power[emulated]: {} suspending", ifname);
  enter(PowerState::kSuspending);
  if (hooks_.on_sleep) hooks_.on_sleep();
  pause(config_.suspend_delay);

  user_wake_ = false;
  listener_->drain();  // packets sent before we slept would not have woken a real NIC
  enter(PowerState::kAsleep);
  const Duration asleep_at = clock_.elapsed();

  WakeEvent ev;
  // Each pass waits at most the time left before the alarm (or one second without one) and ends on
  // a packet, user_wake(), shutdown() or the alarm; spurious interrupts just loop again.
  const Duration limit = config_.max_sleep.value_or(Duration::max());
  while (true) {
    if (shutdown_) {
      ev.cause = WakeCause::kShutdown;
      break;
    }
    if (user_wake_) {
      ev.cause = WakeCause::kUser;
      break;
    }
    const Duration left = limit - (clock_.elapsed() - asleep_at);
    if (left <= Duration::micros(0)) {
      ev.cause = WakeCause::kAlarm;
      break;
    }
    if (auto r = listener_->wait(std::min(to_ms(left), milliseconds(1000)))) {
      ev.cause = WakeCause::kMagicPacket;
      ev.detail = std::string(name_of(r->transport)) + " from " + r->from;
      break;
    }
  }
  ev.asleep = clock_.elapsed() - asleep_at;

  if (ev.cause == WakeCause::kShutdown) {
    ev.resume = ResumeKind::kFull;
    enter(PowerState::kActive);
    spdlog::info("power[emulated]: {} shut down while asleep", ifname);
    return ev;
  }
  ev.resume = ev.cause == WakeCause::kMagicPacket ? config_.packet_resume : ResumeKind::kFull;
  const bool selective = ev.resume == ResumeKind::kSelective;
  enter(selective ? PowerState::kResumingSelective : PowerState::kResumingFull);
  pause(selective ? config_.resume_selective_delay : config_.resume_full_delay);
  enter(selective ? PowerState::kServing : PowerState::kActive);
  spdlog::info("power[emulated]: {} woke ({}, {} resume{}{}) after {:.3f} s asleep", ifname,
               name_of(ev.cause), name_of(ev.resume), ev.detail.empty() ? "" : ", ", ev.detail,
               ev.asleep.seconds_f());
  if (hooks_.on_wake) hooks_.on_wake(ev);
  return ev;
}

}  // namespace jettison::emu
