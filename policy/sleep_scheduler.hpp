// When should a desktop that just served page requests go back to sleep? The interface every sleep
// scheduler implements. Pure: time comes in as an argument; no I/O, no clocks, no threads. The
// simulator and the live emulator drive the same objects.
#pragma once

#include <memory>
#include <vector>

#include "common/quantity.hpp"
#include "common/time.hpp"

namespace jettison::policy {

// The desktop's power figures and transition times as a scheduler may use them.
struct SleepCosts {
  Power serving;                    // awake in the page-serving context, between requests
  Power asleep;                     // asleep
  Power suspending;                 // entering sleep
  Power resuming;                   // waking to serve pages
  Power resuming_full;              // full resume when the user returns
  Duration suspend;                 // entering sleep
  Duration wake;                    // magic packet + resume to serve pages
  Duration full_resume_from_sleep;  // user returns while asleep
  Duration full_resume_from_awake;  // user returns while serving (the devices left off)
  Duration service;                 // serving one request once awake (round trip + one page)

  // Energy of one suspend + wake cycle beyond what staying asleep over the same time would cost.
  Energy cycle_energy() const;
  // The gap between requests at which sleeping and staying awake cost the same: ski rental's
  // buy/rent ratio, cycle_energy / (serving - asleep).
  Duration break_even() const;
};

// What an offline scheduler may know of an idle period's future: the arrival times of its page
// requests (sorted) and the user's return. Only the simulator can provide it: the arrivals do not
// depend on when the desktop sleeps (a page is fetched at its first access either way).
struct Future {
  std::vector<Time> requests;
  Time user_return;
};

// Tunables from the scenario (policy.sleep in YAML). Each rule reads what it needs.
struct SleepParams {
  Duration timeout = Duration::seconds(30);  // `timeout`: stay awake this long after the last request
  double trust = 0.5;                        // `learning-augmented`: lambda in (0, 1]; small = trust more
  std::uint32_t history = 8;                 // `adaptive`, `learning-augmented`: gaps remembered
};

class SleepScheduler {
 public:
  virtual ~SleepScheduler() = default;

  // The VM now runs on the server (t) and the desktop is awake serving. `future` is given to
  // offline schedulers only (offline() == true), else null.
  virtual void on_period_start(Time t, const Future* future) = 0;
  // The desktop finished waking at t to serve pages.
  virtual void on_wake(Time t) = 0;
  // A page request that arrived at `arrival` was served at `served` (>= arrival).
  virtual void on_request(Time arrival, Time served) = 0;
  // The desktop started suspending at t.
  virtual void on_sleep(Time t) = 0;
  // When the desktop should start suspending if no further request arrives (Time::never(): stay up).
  virtual Time sleep_at() const = 0;
  // The idle period ended (the user returned at t). Learning schedulers keep what they learned.
  virtual void on_period_end(Time) {}
  // True for schedulers that need the Future (the offline optimum).
  virtual bool offline() const { return false; }
};

}  // namespace jettison::policy
