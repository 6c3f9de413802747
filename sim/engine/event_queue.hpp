// Event queues behind one small interface (push, top, pop, empty, size), ordered by (time, seq).
// QuaternaryHeap is the engine's; BinaryHeapQueue (std::priority_queue) is the reference the
// conformance test holds it against.
#pragma once

#include <cassert>
#include <cstddef>
#include <queue>
#include <vector>

#include "sim/engine/event.hpp"

namespace jettison::sim {

// A 4-ary min-heap: half the depth of a binary heap, children of a node share a cache line.
class QuaternaryHeap {
 public:
  bool empty() const { return v_.empty(); }
  std::size_t size() const { return v_.size(); }
  const Event& top() const {
    assert(!v_.empty());
    return v_.front();
  }
  void reserve(std::size_t n) { v_.reserve(n); }
  // The event after top(), the smallest of the root's children (null when top() is alone).
  const Event* second() const {
    const std::size_t n = v_.size();
    if (n < 2) return nullptr;
    return &v_[1 + smallest(&v_[1], n - 1 < 4 ? n - 1 : 4)];
  }

  void push(const Event& e) {
    std::size_t i = v_.size();
    v_.push_back(e);
    while (i > 0) {
      const std::size_t parent = (i - 1) / 4;
      if (!(e < v_[parent])) break;
      v_[i] = v_[parent];
      i = parent;
    }
    v_[i] = e;
  }

  void pop() {
    assert(!v_.empty());
    const Event last = v_.back();
    v_.pop_back();
    if (v_.empty()) return;
    const std::size_t n = v_.size();
    std::size_t i = 0;
    while (true) {
      const std::size_t first = 4 * i + 1;
      if (first >= n) break;
      const std::size_t best = first + smallest(&v_[first], n - first < 4 ? n - first : 4);
      if (!(v_[best] < last)) break;
      v_[i] = v_[best];
      i = best;
    }
    v_[i] = last;
  }

 private:
  // The index of the smallest of a node's `count` (1 to 4) children c[0..count). Four: two rounds of
  // branch-free comparisons (which child wins is data, and a mispredicted branch costs more than the
  // comparisons); fewer, at the heap's last node: a loop.
  static std::size_t smallest(const Event* c, std::size_t count) {
    if (count == 4) {
      const std::size_t a = earlier(c[1], c[0]);
      const std::size_t b = 2 + static_cast<std::size_t>(earlier(c[3], c[2]));
      return earlier(c[b], c[a]) ? b : a;
    }
    std::size_t best = 0;
    for (std::size_t k = 1; k < count; ++k)
      if (c[k] < c[best]) best = k;
    return best;
  }
  // a < b (Event's order), evaluated without branches: the comparisons as integers, combined with
  // bitwise operators (logical ones would short-circuit into branches).
  static bool earlier(const Event& a, const Event& b) {
    const int before = a.time < b.time;
    const int tie = a.time == b.time;
    const int seq_before = a.seq < b.seq;
    return before | (tie & seq_before);
  }
  std::vector<Event> v_;
};

class BinaryHeapQueue {
 public:
  bool empty() const { return q_.empty(); }
  std::size_t size() const { return q_.size(); }
  const Event& top() const { return q_.top(); }
  void push(const Event& e) { q_.push(e); }
  void pop() { q_.pop(); }

 private:
  struct Later {
    bool operator()(const Event& a, const Event& b) const { return b < a; }
  };
  std::priority_queue<Event, std::vector<Event>, Later> q_;
};

}  // namespace jettison::sim
