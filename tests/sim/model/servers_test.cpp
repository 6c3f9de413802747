// Hand-derived cases of the servers (sim/MODEL.md "Server"): placement, refusals and what the desktop
// does then, and the server's draw shared by the VMs it hosts. Scenario as in model_support.hpp,
// dedicated links (1 Gbps, 1 ms), vm_memory 1 GiB, metadata 8 MiB, A = 60 s.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>

#include "tests/sim/model/model_support.hpp"

namespace jettison::testing::model {
namespace {

constexpr const char* kQuietProfile = "time,page,op\n5,1,r\n";
constexpr const char* kThreeTogether = "desktop,start,end\nd0,1000,4600\nd1,1000,4600\nd2,1000,4600\n";

std::map<std::string, sim::PeriodRecord> by_desktop(const RunOutput& out) {
  std::map<std::string, sim::PeriodRecord> m;
  for (const auto& [d, r] : out.records) m.emplace(d, r);
  return m;
}

// Servers a (3 GiB) and b (2 GiB); three full migrations of 1 GiB admitted in desktop order at 1060 s.
// first-fit: a, a, a (a holds exactly three). least-loaded: a (tie, list order), b (a holds 1 GiB),
// a (1 GiB each: tie).
TEST(Servers, FirstFitAndLeastLoaded) {
  for (const auto& [placement, expected] : std::vector<std::pair<std::string, std::vector<int>>>{
           {"first-fit", {0, 0, 0}}, {"least-loaded", {0, 1, 0}}}) {
    SCOPED_TRACE(placement);
    TempDir dir;
    Knobs k;
    k.server_memory = "2GiB";
    k.server_extra = ", list: [{id: a, memory: 3GiB}, {id: b}], placement: " + placement;
    k.dirty_rate = "0bps";
    const sim::Scenario s = load_hand_scenario(dir, kThreeTogether, kQuietProfile, k);
    const RunOutput out = run_strategy(s, "full");
    const auto r = by_desktop(out);
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(r.at(fmt::format("d{}", i)).server, expected[static_cast<std::size_t>(i)]) << i;
      EXPECT_EQ(r.at(fmt::format("d{}", i)).outcome, sim::Outcome::kMigrated);
    }
    ASSERT_EQ(out.result.servers.size(), 2U);
    const std::uint64_t on_a = placement == "first-fit" ? 3 : 2;
    EXPECT_EQ(out.result.servers[0].peak_memory.count(), on_a << 30);
    EXPECT_EQ(out.result.servers[0].peak_vms, on_a);
    EXPECT_EQ(out.result.servers[1].peak_vms, 3 - on_a);
    EXPECT_EQ(out.result.server_refusals, 0U);
  }
}

// One server of 2 GiB: the third VM is refused. sleep-only: it suspends at 1060 s like sleep-only;
// stay-on: it stays idle for the whole period and draws exactly its baseline.
TEST(Servers, RefusalFallsBackAsConfigured) {
  for (const std::string when_full : {"sleep-only", "stay-on"}) {
    SCOPED_TRACE(when_full);
    TempDir dir;
    Knobs k;
    k.server_memory = "2GiB";
    k.server_extra = ", when_full: " + when_full;
    k.dirty_rate = "0bps";
    const sim::Scenario s = load_hand_scenario(dir, kThreeTogether, kQuietProfile, k);
    const RunOutput out = run_strategy(s, "full");
    const auto r = by_desktop(out);
    EXPECT_EQ(r.at("d0").outcome, sim::Outcome::kMigrated);
    EXPECT_EQ(r.at("d1").outcome, sim::Outcome::kMigrated);
    const sim::PeriodRecord& third = r.at("d2");
    EXPECT_EQ(third.outcome, sim::Outcome::kRefused);
    EXPECT_EQ(third.server, -1);
    EXPECT_EQ(out.result.server_refusals, 1U);
    if (when_full == "stay-on") {
      EXPECT_EQ(us_in(third, sim::PowerState::kIdle), 3'600'000'000);
      EXPECT_EQ(third.energy.joules(), third.baseline.joules());
    } else {
      // Suspend 2 s at 1060, asleep until 4600, full resume 4 s: r = 4 s.
      EXPECT_EQ(us_in(third, sim::PowerState::kAsleep), 3'538'000'000);
      EXPECT_EQ(third.return_latency->us(), 4'000'000);
    }
  }
}

// The server's draw shared by its VMs (linear 100 W idle, 200 W max, vm_load 0.5). Partial on
// dedicated links: a migration takes 3 s + 67 109 us + 1 ms = 3.068109 s.
//   d0 idle [1000, 4600): hosted from 1063.068109; d1 idle [2000, 4600): hosted from 2063.068109.
//   Both return at 4600, asleep: resume 4 s, metadata back 67 109 + 1 000 us, restore 1 s: both
//   windows close at 4605.068109.
//   [1063.068109, 2063.068109): one VM, u = 0.5, 150 W, all to d0: 150 000 J
//   [2063.068109, 4605.068109): two VMs, u = 1, 200 W, 100 W each for 2542 s: 254 200 J each
//   d0: 404 200 J; d1: 254 200 J.
//   The server over the run [0, 4605.068109 s]: 100 W x 1063.068109 s + 150 000 + 200 x 2542
//   = 106 306.8109 + 150 000 + 508 400 = 764 706.8109 J; attributed 658 400 J.
TEST(Servers, DrawSharedByHostedVms) {
  TempDir dir;
  Knobs k;
  k.server_power = "{model: linear, idle: 100W, max: 200W, vm_load: 0.5}";
  const sim::Scenario s =
      load_hand_scenario(dir, "desktop,start,end\nd0,1000,4600\nd1,2000,4600\n", kQuietProfile, k);
  const RunOutput out = run_strategy(s, "partial");
  const auto r = by_desktop(out);
  EXPECT_NEAR(r.at("d0").server_energy.joules(), 404'200.0, 1e-3);
  EXPECT_NEAR(r.at("d1").server_energy.joules(), 254'200.0, 1e-3);
  ASSERT_EQ(out.result.servers.size(), 1U);
  const sim::ServerFigures& f = out.result.servers[0];
  EXPECT_NEAR(f.energy.joules(), 764'706.8109, 1e-3);
  EXPECT_NEAR(f.attributed.joules(), 658'400.0, 1e-3);
  EXPECT_EQ(f.peak_vms, 2U);
  EXPECT_EQ(f.busy.us(), 3'542'000'000);             // 4605.068109 - 1063.068109
  EXPECT_NEAR(f.vm_seconds, 3542.0 + 2542.0, 1e-6);  // consolidation: 6084 / 3542 = 1.7177 VMs
  // Not added to the desktops' energy unless add_to_total.
  EXPECT_LT(r.at("d0").energy.joules(), r.at("d0").baseline.joules());
}

TEST(Servers, AddToTotal) {
  TempDir dir;
  Knobs k;
  k.server_power = "{model: linear, idle: 100W, max: 200W, vm_load: 0.5}";
  const std::string idle = "desktop,start,end\nd0,1000,4600\nd1,2000,4600\n";
  const auto without = by_desktop(run_strategy(load_hand_scenario(dir, idle, kQuietProfile, k), "partial"));
  k.add_to_total = true;
  TempDir dir2;
  const auto with = by_desktop(run_strategy(load_hand_scenario(dir2, idle, kQuietProfile, k), "partial"));
  EXPECT_NEAR(with.at("d0").energy.joules() - without.at("d0").energy.joules(), 404'200.0, 1e-3);
}

}  // namespace
}  // namespace jettison::testing::model
