// Pure evaluators that play a SleepScheduler, for the sleep-scheduler tests.
//
// - play_gaps: the classic ski-rental model. Each gap stands alone (no time shift in the cost):
//   staying awake costs (serving - asleep) power per second, and a gap that outlasts the
//   scheduler's wait costs the wait plus one cycle_energy(). OPT of a gap = min(rent x gap, cycle).
// - play_full: the simulator's partial timeline (sim/MODEL.md, "partial", in SleepCosts terms):
//   suspend, sleep, wake on a request, queue the requests that come meanwhile, serve them `service`
//   after the wake, full resume at the user's return. Written as a small event loop, separately
//   from the oracle's dynamic programme, so the two check each other.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "common/config/desktop_loader.hpp"
#include "common/config/desktop_sleep_costs.hpp"
#include "policy/sleep_scheduler.hpp"

namespace jettison::policy::testing {

inline Time sec(std::int64_t s) { return Time::micros(s * 1'000'000); }
inline Time ms(std::int64_t m) { return Time::micros(m * 1'000); }

// The default scenario's desktop, loaded from the embedded scenarios/default.yaml through the one
// loader and cost function the simulator and the emulator use (selective resume, the path to its
// server): serving 60 W, asleep 1.2 W, suspending 90 W for 3.09 s, waking (Wake-on-LAN +
// selective resume) 60 W for 0.71 s; full resume 100 W for 2.27 s from sleep, 1.57 s from serving;
// one request served in 533 us (a 0.25 ms one-way path, 4 KiB at 1 Gbps). cycle 316.14 J,
// break-even 5.376531 s.
inline SleepCosts example_costs() {
  const config::ScenarioFigures& f = config::default_scenario_figures();
  return config::sleep_costs(f.desktop, ResumeKind::kSelective, f.server_path.value());
}

// Round figures for hand derivations: serving 10 W, asleep 0 W, suspending 20 W for 2 s, waking
// 10 W for 1 s, full resume 30 W for 3 s (asleep) or 1 s (serving), service 0.5 s.
// cycle = 20 x 2 + 10 x 1 - 0 = 50 J, break-even = 50 / 10 = 5 s.
inline SleepCosts round_costs() {
  SleepCosts c;
  c.serving = Power::watts(10);
  c.asleep = Power::watts(0);
  c.suspending = Power::watts(20);
  c.resuming = Power::watts(10);
  c.resuming_full = Power::watts(30);
  c.suspend = Duration::seconds(2);
  c.wake = Duration::seconds(1);
  c.full_resume_from_sleep = Duration::seconds(3);
  c.full_resume_from_awake = Duration::seconds(1);
  c.service = Duration::millis(500);
  return c;
}

// ---- classic ski-rental model ----

struct GapOutcome {
  Duration gap;
  Duration wait;  // how long the scheduler stayed awake before sleeping (Duration::max(): stayed up)
  bool slept = false;
  Energy cost;
  Energy opt;
};

struct GapsResult {
  std::vector<GapOutcome> gaps;
  Energy cost;
  Energy opt;
  // Sums over gaps [from, to).
  Energy cost_of(std::size_t from, std::size_t to) const {
    Energy e;
    for (std::size_t i = from; i < to && i < gaps.size(); ++i) e += gaps[i].cost;
    return e;
  }
  Energy opt_of(std::size_t from, std::size_t to) const {
    Energy e;
    for (std::size_t i = from; i < to && i < gaps.size(); ++i) e += gaps[i].opt;
    return e;
  }
};

inline Power rent(const SleepCosts& c) { return c.serving - c.asleep; }

inline Energy classic_opt(const SleepCosts& c, Duration gap) {
  return std::min(rent(c) * gap, c.cycle_energy());
}

// The cost of a gap when the scheduler waits `wait` (a gap equal to the wait is stayed through).
inline Energy classic_cost(const SleepCosts& c, Duration gap, Duration wait) {
  if (gap <= wait) return rent(c) * gap;
  return rent(c) * wait + c.cycle_energy();
}

// Plays `gaps` as one idle period starting at `start`. The scheduler sees a consistent clock: a
// request it stayed up for arrives `gap` after it went idle and is served at once; after a sleep at
// S + wait, the request arriving at S + gap wakes the desktop once the suspend is over, the wake
// ends `wake` later, and the request (reported with its true arrival) is served then. Only the cost
// ignores those shifts. Online schedulers only (no Future).
inline GapsResult play_gaps(SleepScheduler& s, const SleepCosts& c, const std::vector<Duration>& gaps,
                            Time start = Time::micros(1'000'000)) {
  GapsResult r;
  s.on_period_start(start, nullptr);
  Time idle = start;
  for (Duration g : gaps) {
    GapOutcome o;
    o.gap = g;
    const Time at = s.sleep_at();
    o.wait = at >= Time::never() ? Duration::max() : max(at - idle, Duration{});
    o.opt = classic_opt(c, g);
    o.cost = classic_cost(c, g, o.wait);
    const Time arrival = idle + g;
    if (g <= o.wait) {
      s.on_request(arrival, arrival);
      idle = arrival;
    } else {
      o.slept = true;
      const Time slept = idle + o.wait;
      s.on_sleep(slept);
      const Time woke = max(arrival, slept + c.suspend) + c.wake;
      s.on_wake(woke);
      s.on_request(arrival, woke);
      idle = woke;
    }
    r.cost += o.cost;
    r.opt += o.opt;
    r.gaps.push_back(o);
  }
  s.on_period_end(idle + Duration::seconds(1));
  return r;
}

// ---- the simulator's partial timeline ----

struct FullResult {
  Energy energy;  // from the period's start to the end of the full resume at the user's return
  int sleeps = 0;
  int wakeups = 0;
};

// Plays one period: the desktop serving from t0, requests at `arrivals` (sorted, in [t0, return)),
// the user back at `user_return`. Offline schedulers get the Future.
inline FullResult play_full(SleepScheduler& s, const SleepCosts& c, Time t0,
                            const std::vector<Time>& arrivals, Time user_return) {
  enum class State { kServing, kSuspending, kAsleep, kResuming };
  FullResult r;
  const Future future{arrivals, user_return};
  s.on_period_start(t0, s.offline() ? &future : nullptr);

  State state = State::kServing;
  Time since = t0;  // when the current state began
  auto power = [&](State st) {
    switch (st) {
      case State::kServing:
        return c.serving;
      case State::kSuspending:
        return c.suspending;
      case State::kAsleep:
        return c.asleep;
      case State::kResuming:
        return c.resuming;
    }
    return c.serving;
  };
  Time now = t0;  // the clock: the latest event
  auto change = [&](Time t, State next) {
    r.energy += power(state) * (t - since);
    state = next;
    since = t;
    now = t;
  };
  auto full_resume = [&](Time t, Duration how_long) {
    r.energy += power(state) * (t - since);
    r.energy += c.resuming_full * how_long;
  };

  std::size_t i = 0;
  const std::size_t n = static_cast<std::size_t>(
      std::lower_bound(arrivals.begin(), arrivals.end(), user_return) - arrivals.begin());
  while (true) {
    switch (state) {
      case State::kServing: {
        const Time timer = max(s.sleep_at(), now);  // as the simulator arms it: never in the past
        // An arrival at or before the timer comes first; the user's return before the timer too.
        if (i < n && arrivals[i] <= timer) {
          now = arrivals[i];
          s.on_request(arrivals[i], arrivals[i] + c.service);
          ++i;
          break;
        }
        if (user_return <= timer) {
          full_resume(user_return, c.full_resume_from_awake);
          return r;
        }
        change(timer, State::kSuspending);
        ++r.sleeps;
        s.on_sleep(timer);
        break;
      }
      case State::kSuspending: {
        const Time done = since + c.suspend;
        if (user_return <= done) {  // the suspend completes, then the full resume
          change(done, State::kAsleep);
          full_resume(done, c.full_resume_from_sleep);
          return r;
        }
        if (i < n && arrivals[i] < done) {  // queued: the wake starts when the suspend ends
          change(done, State::kResuming);
          ++r.wakeups;
        } else {
          change(done, State::kAsleep);
        }
        break;
      }
      case State::kAsleep: {
        if (i < n) {  // arrivals come before the user's return
          change(arrivals[i], State::kResuming);
          ++r.wakeups;
          break;
        }
        full_resume(user_return, c.full_resume_from_sleep);
        return r;
      }
      case State::kResuming: {
        const Time woke = since + c.wake;
        if (user_return <= woke) {  // the selective resume completes, then the rest of a full one
          change(woke, State::kServing);
          full_resume(woke, c.full_resume_from_awake);
          return r;
        }
        std::size_t queued = 0;
        while (i < n && arrivals[i] < woke) {
          ++i;
          ++queued;
        }
        change(woke, State::kServing);
        s.on_wake(woke);
        if (queued > 0) s.on_request(woke, woke + c.service);  // as the simulator reports a group
        break;
      }
    }
  }
}

// A fixed choice per gap, for brute force: the gap that ends with arrival k (k = n: the last gap,
// up to the user's return) is slept through at once when bit k of `choices` is set, else stayed up.
class FixedChoices final : public SleepScheduler {
 public:
  FixedChoices(std::vector<Time> arrivals, std::uint32_t choices)
      : arrivals_(std::move(arrivals)), choices_(choices) {}

  void on_period_start(Time t, const Future*) override { last_ = t; }
  void on_wake(Time t) override { last_ = max(last_, t); }
  void on_request(Time, Time served) override { last_ = max(last_, served); }
  void on_sleep(Time) override {}
  Time sleep_at() const override {
    const auto k = static_cast<std::uint32_t>(std::upper_bound(arrivals_.begin(), arrivals_.end(), last_) -
                                              arrivals_.begin());
    return k < 32 && ((choices_ >> k) & 1U) ? last_ : Time::never();
  }

 private:
  std::vector<Time> arrivals_;
  std::uint32_t choices_;
  Time last_;
};

}  // namespace jettison::policy::testing
