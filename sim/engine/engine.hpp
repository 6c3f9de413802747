// The discrete-event engine: one clock, two queues. Models schedule events; the engine hands them
// back in (time, seq) order to a dispatcher and counts what it executes.
//
// Events are scheduled into one of two queues that share one sequence counter, so together they
// run in exactly the order one queue would give:
// - `schedule`: global events, which may touch what several entities share (flows, servers, the
//   trace stream, the records). Their earliest time is the `horizon()`.
// - `schedule_local`: events that touch only their own entity's state. They commute with other
//   entities' local events, so an entity may run its own local events ahead of the queue up to
//   (strictly before) the horizon (sim/run/strategy_run.hpp, "run-ahead").
//
// Trace-driven events are not all pushed up front: a trace stream keeps one entry in the queue (its
// next event) and may execute the events that follow it inline (`execute_inline`): for as long as
// they come strictly before the head of both queues (`runs_before_queue`), or, when run ahead,
// strictly before the horizon and before the stream's own next queued event.
#pragma once

#include <cassert>
#include <cstdint>

#include "sim/engine/event.hpp"
#include "sim/engine/event_queue.hpp"

namespace jettison::sim {

template <class Queue = QuaternaryHeap>
class Engine {
 public:
  Time now() const { return now_; }
  std::uint64_t executed() const { return executed_; }
  std::uint64_t executed_inline() const { return inline_; }
  std::size_t pending() const { return global_.size() + local_.size(); }

  // A global event.
  void schedule(Time t, std::uint32_t target, std::uint16_t kind, std::uint32_t token = 0) {
    assert(t >= now_ && "events cannot be scheduled in the past");
    global_.push(Event{t, next_seq_++, target, kind, token});
  }
  // An event that touches only its target's own state.
  void schedule_local(Time t, std::uint32_t target, std::uint16_t kind, std::uint32_t token = 0) {
    assert(t >= now_ && "events cannot be scheduled in the past");
    local_.push(Event{t, next_seq_++, target, kind, token});
  }

  // The time of the earliest queued global event (never when there is none).
  Time horizon() const { return global_.empty() ? Time::never() : global_.top().time; }

  // The time of the earliest queued event, global or local (never when there is none).
  Time head() const {
    const Time g = global_.empty() ? Time::never() : global_.top().time;
    return local_.empty() ? g : min(g, local_.top().time);
  }
  // True when an event at `t` would run before everything now queued (strictly earlier).
  bool runs_before_queue(Time t) const {
    return (global_.empty() || t < global_.top().time) && (local_.empty() || t < local_.top().time);
  }

  // A stream executed an event at `t` without going through the queue.
  void execute_inline(Time t) {
    assert(t >= now_);
    now_ = t;
    ++executed_;
    ++inline_;
  }

  // Runs until the queues are empty or the next event is after `until`. The dispatcher's
  // `bool dispatch(const Event&)` returns false for events it recognises as cancelled (not counted).
  // After a run-ahead, `now()` may step back to an earlier event of another entity.
  template <class Dispatcher>
  void run(Dispatcher& dispatcher, Time until = Time::never()) {
    while (true) {
      const bool local = !local_.empty() && (global_.empty() || local_.top() < global_.top());
      if (!local && global_.empty()) break;
      Queue& q = local ? local_ : global_;
      const Event e = q.top();
      if (e.time > until) break;
      q.pop();
      now_ = e.time;
      // A dispatcher may start loading the state of the events likely to come next (the head after
      // this one, and the one after it when the queue can tell) while it works on this one: at
      // scale the loop waits on memory.
      if constexpr (requires(const Event& next, const Event* after) { dispatcher.upcoming(next, after); }) {
        const bool l = !local_.empty() && (global_.empty() || local_.top() < global_.top());
        if (l || !global_.empty()) {
          const Queue& first = l ? local_ : global_;
          const Queue& other = l ? global_ : local_;
          const Event* after = other.empty() ? nullptr : &other.top();
          if constexpr (requires { first.second(); }) {
            const Event* s = first.second();
            if (s && (!after || *s < *after)) after = s;
          }
          dispatcher.upcoming(first.top(), after);
        }
      }
      if (dispatcher.dispatch(e)) ++executed_;
    }
  }

 private:
  Queue global_;
  Queue local_;
  Time now_;
  std::uint64_t next_seq_ = 0;
  std::uint64_t executed_ = 0;
  std::uint64_t inline_ = 0;
};

}  // namespace jettison::sim
