// Hand-derived cases of the network model (sim/MODEL.md "Network"): migrations and reintegrations as
// flows sharing a star uplink by max-min fairness. Scenario (model_support.hpp): desktop links
// 1 Gbps, latency 1 ms; A = 60 s; metadata 8 MiB = 8 388 608 B; partial setup 3 s; full setup 1 s;
// vm_memory 1 GiB; suspend 2 s; resume_full 4 s; reintegration setup 1 s. The star's uplink has
// latency 0, so every route's latency is 1 ms.
//
// K equal flows through one bottleneck of C bits/s, started together, all leave after
// K x B x 8 / C us to the nearest whole us (ties up):
//   8 MiB:  K=1 at 1 Gbps 67 108.864 -> 67 109 us;  K=4 at 1 Gbps 268 435.456 -> 268 435 us
//           K=2 at 1 Gbps 134 217.728 -> 134 218 us
//   1 GiB:  K=1 8 589 934.592 -> 8 589 935 us;      K=2 17 179 869.184 -> 17 179 869 us
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/sim/model/model_support.hpp"

namespace jettison::testing::model {
namespace {

const std::string kStar1G = "{topology: star, uplink: {bandwidth: 1Gbps, latency: 0s}}";
const std::string kStar10G = "{topology: star, uplink: {bandwidth: 10Gbps, latency: 0s}}";
// One read before the migration: no page is touched on the server, so nothing is fetched or dirty.
constexpr const char* kQuietProfile = "time,page,op\n5,1,r\n";

std::string together(int desktops) {
  std::string idle = "desktop,start,end\n";
  for (int i = 0; i < desktops; ++i) idle += fmt::format("d{},1000,4600\n", i);
  return idle;
}

// Four partial migrations start their transfers together at 1063 s (1060 + 3 s setup) through a
// 1 Gbps uplink: 250 Mbps each, all leave at +268 435 us, arrive 1 ms later.
//   migration latency = 3 000 000 + 268 435 + 1 000 = 3 269 435 us
//   uncontended       = 3 000 000 +  67 109 + 1 000 = 3 068 109 us
// At 4600 s all four are asleep: full resume 4 s, then the metadata flows back together on the
// uplink's other direction: 268 435 + 1 000 us, then 1 s of restore: r = 5 269 435 us.
TEST(Contention, PartialMigrationsShareTheUplink) {
  TempDir dir;
  Knobs k;
  k.network = kStar1G;
  const sim::Scenario s = load_hand_scenario(dir, together(4), kQuietProfile, k);
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 4U);
  for (const auto& [desktop, r] : out.records) {
    SCOPED_TRACE(desktop);
    EXPECT_EQ(r.outcome, sim::Outcome::kMigrated);
    EXPECT_EQ(r.migration_latency->us(), 3'269'435);
    EXPECT_EQ(r.migration_latency_uncontended->us(), 3'068'109);
    EXPECT_EQ(r.return_latency->us(), 5'269'435);
    EXPECT_EQ(r.migrated.count(), 8'388'608U);
    EXPECT_EQ(r.reintegrated.count(), 8'388'608U);
  }
  EXPECT_EQ(out.result.flows, 8U);
  EXPECT_EQ(out.result.peak_concurrent_flows, 4U);
  // The uplink's two directions each carried 4 x 8 MiB at full utilisation; each desktop link
  // direction carried 8 MiB at a quarter of its capacity.
  int uplink = 0;
  for (const sim::LinkFigures& l : out.result.links) {
    const auto info = s.network.graph->resource(l.resource);
    if (info.link.find("sw0-s0") != std::string::npos) {
      ++uplink;
      EXPECT_EQ(l.carried.count(), 4 * 8'388'608U) << info.from << "->" << info.to;
      EXPECT_NEAR(l.peak_utilisation, 1.0, 1e-9);
    } else {
      EXPECT_EQ(l.carried.count(), 8'388'608U) << info.link;
      EXPECT_NEAR(l.peak_utilisation, 0.25, 1e-9) << info.link;
    }
  }
  EXPECT_EQ(uplink, 2);
}

// With a 10 Gbps uplink four 1 Gbps desktops are limited by their own links: no contention.
TEST(Contention, AWideUplinkLeavesMigrationsAlone) {
  TempDir dir;
  Knobs k;
  k.network = kStar10G;
  const sim::Scenario s = load_hand_scenario(dir, together(4), kQuietProfile, k);
  for (const auto& [desktop, r] : run_strategy(s, "partial").records) {
    EXPECT_EQ(r.migration_latency->us(), 3'068'109) << desktop;
    EXPECT_EQ(r.migration_latency_uncontended->us(), 3'068'109) << desktop;
  }
}

// Two full migrations with a VM that dirties nothing (dirty_rate 0): round 1 (1 GiB each) runs from
// 1061 s at 500 Mbps each and leaves after 17 179 869 us; nothing is dirty, so stop-and-copy sends the
// 8 MiB of state of both together (134 218 us) and arrives 1 ms later.
//   latency     = 1 000 000 + 17 179 869 + 134 218 + 1 000 = 18 315 087 us
//   uncontended = 1 000 000 +  8 589 935 +  67 109 + 1 000 =  9 658 044 us
TEST(Contention, FullMigrationRoundsShareTheUplink) {
  TempDir dir;
  Knobs k;
  k.network = kStar1G;
  k.dirty_rate = "0bps";
  const sim::Scenario s = load_hand_scenario(dir, together(2), kQuietProfile, k);
  const RunOutput out = run_strategy(s, "full");
  ASSERT_EQ(out.records.size(), 2U);
  for (const auto& [desktop, r] : out.records) {
    SCOPED_TRACE(desktop);
    EXPECT_EQ(r.outcome, sim::Outcome::kMigrated);
    EXPECT_EQ(r.migration_latency->us(), 18'315'087);
    EXPECT_EQ(r.migration_latency_uncontended->us(), 9'658'044);
    EXPECT_EQ(r.migrated.count(), 1'073'741'824U + 8'388'608U);
  }
}

// Under contention pre-copy rounds stretch and the VM dirties more meanwhile (dirty_rate 200 Mbps):
// the same migration sends more and takes more than twice as long per byte when four share the
// uplink as when it is alone.
TEST(Contention, PrecopyUnderContentionDirtiesMore) {
  TempDir dir;
  Knobs k;
  k.network = kStar1G;
  k.dirty_rate = "200Mbps";
  const sim::Scenario alone = load_hand_scenario(dir, together(1), kQuietProfile, k);
  const sim::PeriodRecord one = run_strategy(alone, "full").records.at(0).second;
  TempDir dir4;
  const sim::Scenario crowd = load_hand_scenario(dir4, together(4), kQuietProfile, k);
  const RunOutput four = run_strategy(crowd, "full");
  ASSERT_EQ(four.records.size(), 4U);
  // Alone, the measured migration is its own uncontended reference.
  EXPECT_EQ(one.migration_latency->us(), one.migration_latency_uncontended->us());
  for (const auto& [desktop, r] : four.records) {
    SCOPED_TRACE(desktop);
    EXPECT_EQ(r.migration_latency_uncontended->us(), one.migration_latency->us());
    EXPECT_GT(r.migrated.count(), one.migrated.count());  // more rounds, bigger rounds
    EXPECT_GT(r.migration_latency->us(), 4 * one.migration_latency->us());
  }
}

// The user returns while four contended partial migrations are still sending (A = 60 s, setup 3 s,
// return at 1063.1 s: 100 000 us into the transfer at 250 Mbps = 3 125 000 B each).
TEST(Contention, AbortedFlowsCountWhatTheySent) {
  TempDir dir;
  Knobs k;
  k.network = kStar1G;
  std::string idle = "desktop,start,end\n";
  for (int i = 0; i < 4; ++i) idle += fmt::format("d{},1000,1063.1\n", i);
  const sim::Scenario s = load_hand_scenario(dir, idle, kQuietProfile, k);
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 4U);
  for (const auto& [desktop, r] : out.records) {
    EXPECT_EQ(r.outcome, sim::Outcome::kAborted) << desktop;
    EXPECT_EQ(r.migrated.count(), 3'125'000U) << desktop;
  }
  EXPECT_EQ(out.result.servers.at(0).peak_memory.count(), 4 * 8'388'608U);
}

// The user returns after the migration's last byte left but before it arrived (dedicated 1 Gbps link,
// latency 1 ms): the metadata left at 1063.067109 s and arrives at 1063.068109 s; back at 1063.0675 s.
// Everything was sent: migrated = 8 MiB. Full: round 1 (1 GiB) leaves at 1061 + 8.589935 s; the
// stop-and-copy (8 MiB, nothing dirty) leaves 67 109 us later, at 1069.657044 s, and would arrive at
// 1069.658044 s; back at 1069.6575 s: migrated = 1 GiB + 8 MiB.
TEST(Contention, AbortAfterTheLastByteLeftCountsEverything) {
  TempDir dir;
  Knobs k;
  k.dirty_rate = "0bps";
  const sim::Scenario partial =
      load_hand_scenario(dir, "desktop,start,end\nd0,1000,1063.0675\n", kQuietProfile, k);
  const sim::PeriodRecord p = run_strategy(partial, "partial").records.at(0).second;
  EXPECT_EQ(p.outcome, sim::Outcome::kAborted);
  EXPECT_EQ(p.migrated.count(), 8'388'608U);
  TempDir dir2;
  const sim::Scenario full =
      load_hand_scenario(dir2, "desktop,start,end\nd0,1000,1069.6575\n", kQuietProfile, k);
  const sim::PeriodRecord f = run_strategy(full, "full").records.at(0).second;
  EXPECT_EQ(f.outcome, sim::Outcome::kAborted);
  EXPECT_EQ(f.migrated.count(), 1'073'741'824U + 8'388'608U);
}

}  // namespace
}  // namespace jettison::testing::model
