// scenarios/paper/concurrent-migrations.yaml as a test: its figures, derived by hand from
// sim/MODEL.md ("Network"). Every desktop leaves at 12:00 and acts at 12:05 together; desktop links
// 1 Gbps, latency 0.2 ms; the star's uplink 0.05 ms, so every route's latency is 0.25 ms.
//
// partial: setup 3.5 s, then 40 MiB = 41 943 040 B per desktop, all flows together through the uplink.
//   alone (1 Gbps bottleneck): 41 943 040 x 8 / 1e9 = 335 544.32 us -> 335 544 us (to the nearest us);
//     3 500 000 + 335 544 + 250 = 3 835 794 us
//   50 at 1 Gbps (20 Mbps each): 50 x 335 544.32 = 16 777 216 us; 3 500 000 + 16 777 216 + 250 = 20 277 466
//   us 50 at 10 Gbps (200 Mbps each): 1 677 721.6 -> 1 677 722 us; 3 500 000 + 1 677 722 + 250 = 5 177 972 us
//   10 at 10 Gbps: limited by their own 1 Gbps links: alone, 3 835 794 us
#include <gtest/gtest.h>

#include <algorithm>

#include "sim/run/strategy_run.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace jettison::sim {
namespace {

const std::string kScenario =
    std::string(JETTISON_SOURCE_DIR) + "/scenarios/paper/concurrent-migrations.yaml";

std::vector<std::int64_t> sorted(std::vector<std::int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

StrategyResult run(const std::string& strategy, const std::vector<std::string>& sets) {
  const Scenario s = load_scenario(kScenario, sets);
  StrategyRun r(s, strategy, nullptr);
  return r.run();
}

TEST(ConcurrentMigrations, PartialLatenciesAreHandDerived) {
  struct Case {
    std::string desktops, uplink;
    std::int64_t latency_us;
  };
  for (const Case& c : {Case{"50", "1Gbps", 20'277'466}, Case{"50", "10Gbps", 5'177'972},
                        Case{"10", "10Gbps", 3'835'794}, Case{"1", "1Gbps", 3'835'794}}) {
    SCOPED_TRACE(c.desktops + " desktops, " + c.uplink);
    const StrategyResult r =
        run("partial", {"desktops.count=" + c.desktops, "network.uplink.bandwidth=" + c.uplink});
    const auto latencies = sorted(r.totals.migration_latency_us.values());
    ASSERT_EQ(latencies.size(), std::stoul(c.desktops));
    EXPECT_EQ(latencies.front(), c.latency_us);
    EXPECT_EQ(latencies.back(), c.latency_us);
    for (std::int64_t alone : r.totals.migration_latency_uncontended_us.values()) EXPECT_EQ(alone, 3'835'794);
    EXPECT_EQ(r.peak_concurrent_flows, std::stoul(c.desktops));
  }
}

// Full migration: 50 pre-copies of 4 GiB through one 1 Gbps uplink take about 50 times as long as one
// alone (at least 50 x 4 GiB x 8 / 1e9 = 1 718 s for round 1 of all of them), and the servers hold
// every whole VM: 50 x 4 GiB at the peak. Partial's migrations are over long before.
TEST(ConcurrentMigrations, FullMigrationsTakeMinutesAndFillTheServer) {
  const StrategyResult full = run("full", {});
  const StrategyResult partial = run("partial", {});
  const auto lat = sorted(full.totals.migration_latency_us.values());
  const auto alone = sorted(full.totals.migration_latency_uncontended_us.values());
  ASSERT_EQ(lat.size(), 50U);
  EXPECT_GT(lat.front(), 1'718'000'000);
  EXPECT_GT(lat[25], 40 * alone[25]);
  EXPECT_EQ(full.server_peak.count(), 50ULL * (4ULL << 30));
  EXPECT_LT(partial.server_peak.count(), full.server_peak.count() / 50);
  // The uplink towards the servers was saturated; partial moved under a tenth of full's bytes.
  double uplink_peak = 0;
  const Scenario s = load_scenario(kScenario, {});  // the same network: the links' names
  for (const LinkFigures& l : full.links) {
    const net::Topology::ResourceInfo info = s.network.graph->resource(l.resource);
    if (info.link == "sw0-s0" && info.to == "s0") uplink_peak = l.peak_utilisation;
  }
  EXPECT_NEAR(uplink_peak, 1.0, 1e-9);
  EXPECT_LT(partial.totals.all.network().count() * 10, full.totals.all.network().count());
}

}  // namespace
}  // namespace jettison::sim
