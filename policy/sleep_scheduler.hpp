// When should a desktop that just served page requests go back to sleep? The interface every sleep
// scheduler implements. Pure: time comes in as an argument; no I/O, no clocks, no threads. The
// simulator and the live emulator drive the same objects.
#pragma once

#include <memory>

#include "common/quantity.hpp"
#include "common/time.hpp"

namespace jettison::policy {

// The desktop's power figures as a scheduler may use them (break-even rules need them).
struct SleepCosts {
  Power awake;            // drawn while awake serving pages
  Power asleep;           // drawn while asleep
  Duration suspend_time;  // entering sleep
  Duration resume_time;   // selective resume to serve pages
  Energy cycle_energy;    // energy of one suspend + selective resume
};

// Tunables from the scenario (policy.sleep in YAML). Each rule reads what it needs.
struct SleepParams {
  Duration timeout = Duration::seconds(30);  // `timeout`: stay awake this long after the last request
};

class SleepScheduler {
 public:
  virtual ~SleepScheduler() = default;

  // A new idle period began at t (the desktop's VM was migrated); per-period state resets here.
  virtual void on_period_start(Time t) = 0;
  // The desktop finished resuming at t to serve pages.
  virtual void on_wake(Time t) = 0;
  // A page request was served at t.
  virtual void on_request(Time t) = 0;
  // The desktop started suspending at t.
  virtual void on_sleep(Time t) = 0;
  // When the desktop should start suspending if no further request arrives.
  virtual Time sleep_at() const = 0;
};

}  // namespace jettison::policy
