#include "emu/power/state_clock.hpp"

#include <time.h>

#include <cassert>

namespace jettison::emu {

Duration boottime_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_BOOTTIME, &ts);
  return Duration::micros(static_cast<std::int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000);
}

StateClock::StateClock(PowerState initial, std::function<Duration()> now)
    : now_(std::move(now)), state_(initial), start_(now_()), since_(start_) {
  entries_[index_of(initial)] = 1;
}

void StateClock::enter(PowerState s) {
  const Duration t = now_();
  std::lock_guard lock(mutex_);
  assert(t >= since_);
  times_[index_of(state_)] += t - since_;
  since_ = t;
  state_ = s;
  ++entries_[index_of(s)];
}

PowerState StateClock::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

StateTimes StateClock::times() const {
  const Duration t = now_();
  std::lock_guard lock(mutex_);
  StateTimes out = times_;
  if (t > since_) out[index_of(state_)] += t - since_;
  return out;
}

std::array<std::uint64_t, kPowerStateCount> StateClock::entries() const {
  std::lock_guard lock(mutex_);
  return entries_;
}

Duration StateClock::elapsed() const { return now_() - start_; }

}  // namespace jettison::emu
