// One conformance test run against every event queue: the same random pushes and pops give the same
// order as a sorted reference, and events at equal times come out first-scheduled-first.
#include "sim/engine/event_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace jettison::sim {
namespace {

template <class Q>
class EventQueueConformance : public ::testing::Test {};

using Queues = ::testing::Types<QuaternaryHeap, BinaryHeapQueue>;
TYPED_TEST_SUITE(EventQueueConformance, Queues);

TYPED_TEST(EventQueueConformance, PopsInTimeThenSequenceOrder) {
  std::mt19937_64 rng(7);
  TypeParam q;
  std::vector<Event> reference;
  std::uint64_t seq = 0;
  // Few distinct times, so ties are common.
  for (int i = 0; i < 5000; ++i) {
    const Event e{Time::micros(static_cast<std::int64_t>(rng() % 50)), seq++, static_cast<std::uint32_t>(i),
                  0, 0};
    q.push(e);
    reference.push_back(e);
  }
  std::sort(reference.begin(), reference.end());
  ASSERT_EQ(q.size(), reference.size());
  for (const Event& want : reference) {
    ASSERT_FALSE(q.empty());
    EXPECT_EQ(q.top().time, want.time);
    EXPECT_EQ(q.top().seq, want.seq);
    EXPECT_EQ(q.top().target, want.target);
    q.pop();
  }
  EXPECT_TRUE(q.empty());
}

TYPED_TEST(EventQueueConformance, InterleavedPushAndPopKeepsOrder) {
  std::mt19937_64 rng(11);
  TypeParam q;
  std::uint64_t seq = 0;
  Time now;
  Event last{};
  bool have_last = false;
  for (int round = 0; round < 20000; ++round) {
    if (q.empty() || rng() % 3 != 0) {
      // Events are never scheduled before the current time, as in the engine.
      q.push(Event{now + Duration::micros(static_cast<std::int64_t>(rng() % 100)), seq++, 0, 0, 0});
    } else {
      const Event e = q.top();
      q.pop();
      if (have_last) {
        EXPECT_FALSE(e < last) << "popped out of order";
      }
      last = e;
      have_last = true;
      now = e.time;
    }
  }
}

}  // namespace
}  // namespace jettison::sim
