// The gap predictor shared by `adaptive` and `learning-augmented` (policy/SLEEP.md, "The predictor").
// A gap is an idle gap: from the time the desktop finished serving (or woke, or the period began)
// to the arrival of the next page request. Pure: times come in as arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "common/time.hpp"

namespace jettison::policy {

// Two memories of gaps: the last `history` gaps of any length (`recent`), and the last `history`
// gaps at least `long_gap` long (`long`: the break-even time; the gaps worth sleeping through).
// The long memory keeps the rare long gaps (between bursts of background activity) that the many
// short gaps inside a burst push out of the recent memory.
class GapPredictor {
 public:
  GapPredictor(std::uint32_t history, Duration long_gap);

  void observe(Duration gap);
  bool empty() const { return recent_.empty(); }

  // The predicted next gap: the (lower) median of the recent gaps; none without history.
  std::optional<Duration> predict() const;
  // The predicted length of a gap that has already lasted `elapsed`: the (lower) median of the
  // recent gaps longer than `elapsed`, or if none is, of the long gaps longer than `elapsed`; none
  // when no remembered gap is that long.
  std::optional<Duration> predict_beyond(Duration elapsed) const;

  std::size_t history() const { return history_; }

 private:
  std::size_t history_;
  Duration long_gap_;
  std::deque<Duration> recent_;
  std::deque<Duration> long_;
};

// Turns a scheduler's events into idle gaps for a GapPredictor and remembers when the desktop last
// went idle. After a wake the request's arrival is the earlier of the reported arrival and the
// wake's start (wake end - `wake`, not before the suspend began): the simulator reports the wake's
// end as the arrival of the requests it queued; when the request came while the desktop was still
// suspending, the wake's start (the suspend's end) over-estimates its arrival by up to `suspend`.
class IdleGapTracker {
 public:
  IdleGapTracker(std::uint32_t history, Duration long_gap, Duration wake);

  void period_start(Time t);
  void request(Time arrival, Time served);
  void sleep(Time t);
  void wake(Time t);

  // When the desktop last went idle: the latest served time, wake end or period start.
  Time last_idle() const { return last_; }
  const GapPredictor& predictor() const { return predictor_; }

 private:
  GapPredictor predictor_;
  Duration wake_;
  Time last_;
  std::optional<Time> slept_at_;  // the suspend that began the current gap
  struct Woke {
    Time arrival;     // estimated arrival of the request that caused the wake
    Time idle_since;  // when the gap it ends began
  };
  std::optional<Woke> woke_;  // set between a wake and the first request it serves
};

}  // namespace jettison::policy
