// One desktop of the SimGrid reference: a SimGrid actor that lives sleep-only's timeline (sim/MODEL.md,
// "sleep-only") by sleeping in simulated time from one state change to the next. Each window opens
// idle; at start + migrate_after (when the user is still away) the desktop suspends, sleeps, and on
// the user's return (or when a suspend the user interrupted completes) resumes fully; the window closes
// then. A period that arrives while a window is open waits for it to close (a later one replaces it and
// the earlier counts as skipped); it opens at its start or at the close, or is skipped if it is over.
// Times are integer microseconds kept by the actor; SimGrid's clock (double seconds) orders the actors.
#pragma once

#include <cstdint>
#include <optional>
#include <simgrid/s4u/Actor.hpp>

#include "bench/simgrid/sleep_only_figures.hpp"
#include "common/quantity.hpp"

namespace jettison::bench {

struct IdleSpan {
  Time start;
  Time end;  // the user's return
};

// What every desktop adds up, in the order windows close (simulated time), as jettison-sim does.
struct SleepOnlyTally {
  std::uint64_t periods = 0;
  std::uint64_t skipped_periods = 0;
  std::uint64_t events = 0;  // wake-ups of actors in simulated time (trace arrivals included)
  Energy energy;
  Duration window;
  Duration asleep;
};

class SleepOnlyDesktop {
 public:
  SleepOnlyDesktop(const SleepOnlyFigures& figures, SleepOnlyTally& tally)
      : figures_(figures), tally_(tally) {}

  // The actor's body: windows until the trace has ended and nothing is pending.
  void run();
  void attach(simgrid::s4u::ActorPtr actor) { actor_ = std::move(actor); }
  // The trace feeder, at the period's start.
  void arrive(const IdleSpan& period);
  // The trace feeder, once the trace is read: a desktop waiting for a period ends.
  void trace_ended();

 private:
  // Lives one window from `start` to the close; returns the close.
  Time window(Time start, Time user_return);
  void sleep_to(Time t);

  const SleepOnlyFigures& figures_;
  SleepOnlyTally& tally_;
  simgrid::s4u::ActorPtr actor_;
  std::optional<IdleSpan> pending_;
  Time free_at_;  // the last window's close
  bool in_window_ = false;
  bool waiting_ = false;  // suspended until a period arrives
  bool trace_ended_ = false;
};

}  // namespace jettison::bench
