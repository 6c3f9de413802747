// The discrete-event engine: one clock, one queue. Models schedule events; the engine hands them
// back in (time, seq) order to a dispatcher and counts what it executes.
//
// Trace-driven events are not all pushed up front: a trace stream keeps one entry in the queue (its
// next event) and may execute the events that follow it inline for as long as they come strictly
// before the queue's head (`runs_before_queue`), telling the engine with `execute_inline`. The heap
// stays as small as the number of live streams plus the timers the models create.
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
  std::size_t pending() const { return queue_.size(); }

  void schedule(Time t, std::uint32_t target, std::uint16_t kind, std::uint32_t token = 0) {
    assert(t >= now_ && "events cannot be scheduled in the past");
    queue_.push(Event{t, next_seq_++, target, kind, token});
  }

  // True when an event at `t` would run before everything now queued (strictly earlier).
  bool runs_before_queue(Time t) const { return queue_.empty() || t < queue_.top().time; }

  // A stream executed an event at `t` without going through the queue.
  void execute_inline(Time t) {
    assert(t >= now_);
    now_ = t;
    ++executed_;
    ++inline_;
  }

  // Runs until the queue is empty or the next event is after `until`. The dispatcher's
  // `bool dispatch(const Event&)` returns false for events it recognises as cancelled (not counted).
  template <class Dispatcher>
  void run(Dispatcher& dispatcher, Time until = Time::never()) {
    while (!queue_.empty()) {
      const Event e = queue_.top();
      if (e.time > until) break;
      queue_.pop();
      now_ = e.time;
      if (dispatcher.dispatch(e)) ++executed_;
    }
  }

 private:
  Queue queue_;
  Time now_;
  std::uint64_t next_seq_ = 0;
  std::uint64_t executed_ = 0;
  std::uint64_t inline_ = 0;
};

}  // namespace jettison::sim
