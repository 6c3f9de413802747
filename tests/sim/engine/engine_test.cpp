#include "sim/engine/engine.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace jettison::sim {
namespace {

struct Recorder {
  Engine<>& engine;
  std::vector<std::pair<std::int64_t, std::uint32_t>> seen;
  std::uint32_t cancelled_token = 99;
  bool dispatch(const Event& e) {
    if (e.token == cancelled_token) return false;
    seen.emplace_back(e.time.us(), e.target);
    // Event 1 schedules a follow-up at the same time: it runs after everything already queued then.
    if (e.target == 1) engine.schedule(e.time, 100, 0);
    return true;
  }
};

TEST(Engine, RunsInTimeOrderWithFifoTiesAndCountsExecutedOnly) {
  Engine<> engine;
  Recorder r{engine, {}};
  engine.schedule(Time::micros(20), 3, 0);
  engine.schedule(Time::micros(10), 1, 0);
  engine.schedule(Time::micros(10), 2, 0);
  engine.schedule(Time::micros(15), 4, 0, /*token=*/99);  // cancelled: not counted
  engine.run(r);
  const std::vector<std::pair<std::int64_t, std::uint32_t>> want{{10, 1}, {10, 2}, {10, 100}, {20, 3}};
  EXPECT_EQ(r.seen, want);
  EXPECT_EQ(engine.executed(), 4U);
  EXPECT_EQ(engine.now(), Time::micros(20));
}

TEST(Engine, StopsAtUntilAndResumes) {
  Engine<> engine;
  Recorder r{engine, {}};
  engine.schedule(Time::micros(5), 7, 0);
  engine.schedule(Time::micros(50), 8, 0);
  engine.run(r, Time::micros(10));
  EXPECT_EQ(r.seen.size(), 1U);
  EXPECT_EQ(engine.pending(), 1U);
  engine.run(r);
  EXPECT_EQ(r.seen.size(), 2U);
}

TEST(Engine, InlineEventsRunOnlyStrictlyBeforeTheQueueHead) {
  Engine<> engine;
  engine.schedule(Time::micros(100), 1, 0);
  EXPECT_TRUE(engine.runs_before_queue(Time::micros(99)));
  EXPECT_FALSE(engine.runs_before_queue(Time::micros(100)));  // ties go through the queue (FIFO)
  engine.execute_inline(Time::micros(99));
  EXPECT_EQ(engine.now(), Time::micros(99));
  EXPECT_EQ(engine.executed(), 1U);
  Engine<> empty;
  EXPECT_TRUE(empty.runs_before_queue(Time::micros(1'000'000)));
}

// Local and global events share one sequence: together they run in the order one queue gives
// (time, then first scheduled), and the horizon is the earliest global event only.
TEST(Engine, LocalAndGlobalEventsRunInOneOrderAndOnlyGlobalOnesSetTheHorizon) {
  Engine<> engine;
  Recorder r{engine, {}};
  engine.schedule_local(Time::micros(10), 2, 0);
  engine.schedule(Time::micros(10), 3, 0);
  engine.schedule_local(Time::micros(5), 4, 0);
  engine.schedule(Time::micros(30), 5, 0);
  engine.schedule_local(Time::micros(10), 6, 0);
  EXPECT_EQ(engine.horizon(), Time::micros(10));
  EXPECT_FALSE(engine.runs_before_queue(Time::micros(5)));  // the local event at 5 is queued
  EXPECT_EQ(engine.pending(), 5U);
  engine.run(r, Time::micros(10));
  const std::vector<std::pair<std::int64_t, std::uint32_t>> want{{5, 4}, {10, 2}, {10, 3}, {10, 6}};
  EXPECT_EQ(r.seen, want);
  EXPECT_EQ(engine.horizon(), Time::micros(30));
  engine.run(r);
  EXPECT_EQ(engine.horizon(), Time::never());
  EXPECT_EQ(engine.executed(), 5U);
}

}  // namespace
}  // namespace jettison::sim
