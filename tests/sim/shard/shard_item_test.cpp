// Shard items and results survive encode/decode (MPI ranks send them as bytes), and the canonical
// order puts an instant's changes before its records and records by desktop.
#include "sim/run/shard_item.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace jettison::sim {
namespace {

TEST(ShardItem, RecordRoundTrip) {
  ShardItem a;
  a.at = Time::micros(123'456'789);
  a.record.desktop = 7;
  a.record.period = 3;
  a.record.energy = Energy::joules(1234.5);
  a.record.migration_latency = Duration::micros(42);
  a.record.outcome = Outcome::kMigrated;
  a.timeline = {{Time::micros(1), PowerState::kIdle}, {Time::micros(9), PowerState::kAsleep}};
  ShardItem c;
  c.kind = ShardItem::Kind::kChanges;
  c.at = Time::micros(5);
  c.flows = -2;
  c.server = {3, -4096, -1, 2};

  std::string bytes;
  encode(a, bytes);
  encode(c, bytes);
  std::string_view in = bytes;
  ShardItem a2, c2;
  decode(in, a2);
  decode(in, c2);
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(a2.kind, ShardItem::Kind::kRecord);
  EXPECT_EQ(a2.at, a.at);
  EXPECT_EQ(a2.record.desktop, 7U);
  EXPECT_EQ(a2.record.period, 3U);
  EXPECT_EQ(a2.record.energy.joules(), 1234.5);
  EXPECT_EQ(a2.record.migration_latency, Duration::micros(42));
  EXPECT_EQ(a2.record.outcome, Outcome::kMigrated);
  ASSERT_EQ(a2.timeline.size(), 2U);
  EXPECT_EQ(a2.timeline[1].at, Time::micros(9));
  EXPECT_EQ(a2.timeline[1].state, PowerState::kAsleep);
  EXPECT_EQ(c2.kind, ShardItem::Kind::kChanges);
  EXPECT_EQ(c2.flows, -2);
  EXPECT_EQ(c2.server.server, 3U);
  EXPECT_EQ(c2.server.bytes, -4096);
  EXPECT_EQ(c2.server.vms, -1);
  EXPECT_EQ(c2.server.admitted, 2U);
}

TEST(ShardItem, ResultRoundTrip) {
  ShardResult r;
  r.events = 10;
  r.inline_events = 4;
  r.flows = 3;
  r.skipped_periods = 2;
  r.server_refusals = 1;
  r.end = Time::micros(99);
  r.links = {{5, 0.5, 1e9}, {8, 0.25, 12.0}};
  std::string bytes;
  encode(r, bytes);
  std::string_view in = bytes;
  ShardResult r2;
  decode(in, r2);
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(r2.events, 10U);
  EXPECT_EQ(r2.inline_events, 4U);
  EXPECT_EQ(r2.flows, 3U);
  EXPECT_EQ(r2.skipped_periods, 2U);
  EXPECT_EQ(r2.server_refusals, 1U);
  EXPECT_EQ(r2.end, Time::micros(99));
  ASSERT_EQ(r2.links.size(), 2U);
  EXPECT_EQ(r2.links[1].resource, 8U);
  EXPECT_EQ(r2.links[0].bytes_carried, 1e9);
}

TEST(ShardItem, TruncatedInputIsAnError) {
  ShardItem a;
  a.timeline = {{Time::micros(1), PowerState::kIdle}};
  std::string bytes;
  encode(a, bytes);
  bytes.pop_back();
  std::string_view in = bytes;
  ShardItem b;
  EXPECT_THROW(decode(in, b), std::runtime_error);
}

TEST(ShardItem, CanonicalOrder) {
  ShardItem change, early, late;
  change.kind = ShardItem::Kind::kChanges;
  change.at = early.at = late.at = Time::micros(10);
  early.record.desktop = 2;
  late.record.desktop = 5;
  EXPECT_TRUE(comes_before(change, early));
  EXPECT_TRUE(comes_before(early, late));
  EXPECT_FALSE(comes_before(late, early));
  late.at = Time::micros(9);
  EXPECT_TRUE(comes_before(late, change));
}

}  // namespace
}  // namespace jettison::sim
