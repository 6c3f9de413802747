#include "bench/simgrid/sleep_only_desktop.hpp"

#include <algorithm>

namespace jettison::bench {

void SleepOnlyDesktop::sleep_to(Time t) {
  simgrid::s4u::this_actor::sleep_until(t.seconds_f());
  ++tally_.events;
}

void SleepOnlyDesktop::run() {
  for (;;) {
    if (!pending_) {
      if (trace_ended_) return;
      waiting_ = true;
      simgrid::s4u::this_actor::suspend();
      waiting_ = false;
      continue;
    }
    const IdleSpan p = *pending_;
    pending_.reset();
    if (p.end <= free_at_) {  // over before the desktop was back in the user's hands
      ++tally_.skipped_periods;
      continue;
    }
    free_at_ = window(max(p.start, free_at_), p.end);
  }
}

Time SleepOnlyDesktop::window(Time start, Time user_return) {
  in_window_ = true;
  StateTimes times{};
  Time close = user_return;
  const Time act = start + figures_.migrate_after;
  if (act < user_return) {
    sleep_to(act);  // idle long enough: suspend
    times[index_of(PowerState::kIdle)] = act - start;
    times[index_of(PowerState::kSuspending)] = figures_.suspend;
    const Time suspended = act + figures_.suspend;
    Time resume_from = user_return;
    if (suspended <= user_return) {
      sleep_to(suspended);    // asleep
      sleep_to(user_return);  // the user is back: full resume
      times[index_of(PowerState::kAsleep)] = user_return - suspended;
    } else {
      sleep_to(user_return);  // back while suspending: the suspend completes first
      sleep_to(suspended);
      resume_from = suspended;
    }
    close = resume_from + figures_.resume_full;
    times[index_of(PowerState::kResumingFull)] = figures_.resume_full;
    sleep_to(close);
  } else {
    sleep_to(user_return);  // back before migrate_after: the desktop stayed on
    times[index_of(PowerState::kIdle)] = user_return - start;
  }
  // The energy exactly as the power meter computes it: power x time per state, in state order.
  Energy energy;
  for (std::size_t i = 0; i < kPowerStateCount; ++i) energy += figures_.power.watts[i] * times[i];
  ++tally_.periods;
  tally_.energy += energy;
  tally_.window += close - start;
  tally_.asleep += times[index_of(PowerState::kAsleep)];
  in_window_ = false;
  return close;
}

void SleepOnlyDesktop::arrive(const IdleSpan& period) {
  if (in_window_ && pending_) ++tally_.skipped_periods;  // replaced by a later one
  pending_ = period;
  if (waiting_) actor_->resume();
}

void SleepOnlyDesktop::trace_ended() {
  trace_ended_ = true;
  if (waiting_) actor_->resume();
}

}  // namespace jettison::bench
