// Hand-derived cases of `hybrid` (sim/MODEL.md, "hybrid"). The scenario is model_support.hpp's (see
// hand_derived_partial_test.cpp for its figures: powers idle 100 W, migrating 110 W, suspending 50 W,
// asleep 2 W, resuming_full 80 W, resuming_selective 40 W, serving 30 W; suspend 2 s, resume_full 4 s,
// resume_selective 1 s, wake_on_lan 10 ms; link 1 Gbps, latency 1 ms; migrate_after 60 s; page 4 KiB;
// vm_memory 1 GiB = 262 144 pages; metadata 8 MiB, partial setup 3 s; reintegration_setup 1 s;
// sleep: timeout 20 s; server 5 W per VM) plus migration.hybrid {after: 120s, rate: 102.4Mbps}.
//
// 102.4 Mbps is chosen so that a page takes a whole number of microseconds: 4096 x 8 / 102.4e6 s
// = 320 us, so no rounding enters the bulk phase's times.
//   metadata at 1 Gbps: 8 388 608 x 8 / 1e9 = 67 108.864 us -> 67 109 us
//   migration: 3 s + 1 ms + 67 109 us = 3 068 109 us
//   a page request served: 2 x 1 ms + 4096 B at 1 Gbps (32.768 -> 33 us) = 2033 us
//   a wake-up: 10 ms + 1 s = 1 010 000 us
//   reintegration of 1 dirty page: 1 s + 1 ms + (8 392 704 B at 1 Gbps: 67 141.632 -> 67 142 us)
//     = 1 068 142 us
#include <gtest/gtest.h>

#include "tests/sim/model/model_support.hpp"

namespace jettison::testing::model {
namespace {

// Page 1 written at offset 100 s (a fault: the desktop is woken), page 2 read at 400 s (after the
// bulk phase: already on the server, no fault), page 1 read at 500 s.
constexpr const char* kProfile = "time,page,op\n100,1,w\n400,2,r\n500,1,r\n";

sim::Scenario load_hybrid_scenario(const TempDir& dir, const std::string& idle_csv, const std::string& after,
                                   const std::string& rate, const std::string& pages_csv = kProfile) {
  dir.write("idle.csv", idle_csv);
  dir.write("pages.csv", pages_csv);
  std::string yaml = hand_scenario_yaml(Knobs{});
  const std::string anchor = "  reintegration_setup: 1s\n";
  const auto at = yaml.find(anchor);
  EXPECT_NE(at, std::string::npos);
  yaml.insert(at, "  hybrid: {after: " + after + ", rate: " + rate + "}\n");
  return sim::load_scenario(dir.write("scenario.yaml", yaml));
}

// ---------------------------------------------------------------------------------------------
// One period [1000 s, 2800 s). Timeline (absolute seconds):
//   idle                1000        -> 1060              60 s
//   migrating           1060        -> 1063.068109       3.068109 s; hosted from H = 1063.068109
//   serving             1063.068109 -> 1083.068109       20 s
//   suspending          1083.068109 -> 1085.068109       2 s
//   asleep              1085.068109 -> 1100              14.931891 s
//   page 1 at 1100: wake-up 1, resuming_selective 1100 -> 1101.01 (1.01 s)
//   serving             1101.01     -> 1121.012033       20.002033 s (served at +2033 us, then 20 s)
//   suspending          1121.012033 -> 1123.012033       2 s
//   asleep              1123.012033 -> 1183.068109       60.056076 s
//   bulk phase at H + 120 s = 1183.068109, the desktop asleep: wake-up 2,
//   resuming_selective  1183.068109 -> 1184.078109       1.01 s
//   migrating           1184.078109 -> 1267.964869       the bulk: 262 144 - 1 resident = 262 143 pages
//                       = 1 073 737 728 B at min(102.4 Mbps, 1 Gbps): 262 143 x 320 us = 83.885760 s,
//                       + 1 ms latency = 83.886760 s
//   suspending          1267.964869 -> 1269.964869       2 s
//   asleep              1269.964869 -> 2800              1530.035131 s (page 2 at 1400 and page 1 at
//                       1500 are on the server: no fault, no wake-up)
//   user back at 2800: resuming_full 2800 -> 2804 (4 s); reintegration of page 1 (the only page
//   written on the server): 1.068142 s; the window closes at 2805.068142: window 1805.068142 s.
// State totals (us): idle 60 000 000; migrating 3 068 109 + 83 886 760 + 1 068 142 = 88 023 011;
//   serving 40 002 033; suspending 6 000 000; asleep 14 931 891 + 60 056 076 + 1 530 035 131
//   = 1 605 023 098; resuming_selective 2 020 000; resuming_full 4 000 000. Sum 1 805 068 142.
// Energy: 100x60 + 110x88.023011 + 30x40.002033 + 50x6 + 2x1605.023098 + 40x2.02 + 80x4
//   = 6000 + 9682.53121 + 1200.06099 + 300 + 3210.046196 + 80.8 + 320 = 20 793.438396 J
// Baseline: 100x1800 + 120x5.068142 = 180 608.17704 J.
// Bytes: migrated = metadata 8 388 608 + bulk 1 073 737 728 = 1 082 126 336; fetched 4096;
//   reintegrated 4096 + 8 388 608 = 8 392 704.
// Server: 5 W x (2805.068142 - 1063.068109) = 8710.000165 J; peak 8 MiB + 1 page + the bulk
//   = 8 388 608 + 4096 + 1 073 737 728 = 1 082 130 432 B.
// ---------------------------------------------------------------------------------------------
TEST(HandDerivedHybrid, LongPeriodSendsTheRestAndSleepsUndisturbed) {
  TempDir dir;
  const auto s = load_hybrid_scenario(dir, "desktop,start,end\nd0,1000,2800\n", "120s", "102.4Mbps");
  const RunOutput out = run_strategy(s, "hybrid");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(sim::name_of(r.outcome), "migrated");
  EXPECT_EQ(r.window.us(), 1'805'068'142);
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                         .migrating = 88'023'011,
                         .suspending = 6'000'000,
                         .asleep = 1'605'023'098,
                         .resuming_full = 4'000'000,
                         .resuming_selective = 2'020'000,
                         .serving = 40'002'033});
  EXPECT_EQ(r.wakeups, 2u);  // the page at 1100 and the bulk phase's start; none after it
  EXPECT_EQ(r.fetched_pages, 1u);
  EXPECT_EQ(r.dirty_pages, 1u);
  EXPECT_EQ(r.migrated.count(), 1'082'126'336u);
  EXPECT_EQ(r.fetched.count(), 4096u);
  EXPECT_EQ(r.reintegrated.count(), 8'392'704u);
  EXPECT_EQ(r.network().count(), 1'082'126'336u + 4096u + 8'392'704u);
  ASSERT_TRUE(r.migration_latency.has_value());
  EXPECT_EQ(r.migration_latency->us(), 3'068'109);
  ASSERT_TRUE(r.return_latency.has_value());
  EXPECT_EQ(r.return_latency->us(), 5'068'142);
  expect_energy(r.energy, 20'793.438396, "energy");
  expect_energy(r.baseline, 180'608.17704, "baseline");
  expect_energy(r.server_energy, 8'710.000165, "server energy");
  EXPECT_EQ(out.result.server_peak.count(), 1'082'130'432u);
}

// The same with rate 10 Gbps: the path (1 Gbps) caps the flow. The bulk: 1 073 737 728 B x 8 / 1e9
// = 8 589 901.824 us -> 8 589 902 us, + 1 ms: migrating 3 068 109 + 8 590 902 + 1 068 142
// = 12 727 153 us. Everything else shifts: asleep after the bulk runs from 1184.078109 + 8.590902
// + 2 = 1194.669011 to 2800: 1605.330989 s; asleep in all 14.931891 + 60.056076 + 1605.330989
// = 1680.318956 s.
TEST(HandDerivedHybrid, ThePathCapsTheBulkRate) {
  TempDir dir;
  const auto s = load_hybrid_scenario(dir, "desktop,start,end\nd0,1000,2800\n", "120s", "10Gbps");
  const RunOutput out = run_strategy(s, "hybrid");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(r.window.us(), 1'805'068'142);
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                         .migrating = 12'727'153,
                         .suspending = 6'000'000,
                         .asleep = 1'680'318'956,
                         .resuming_full = 4'000'000,
                         .resuming_selective = 2'020'000,
                         .serving = 40'002'033});
  EXPECT_EQ(r.wakeups, 2u);
  EXPECT_EQ(r.migrated.count(), 1'082'126'336u);
}

// The user returns at 1200, during the bulk transfer (1184.078109 -> 1267.964869): it is cancelled.
// Sent: 102.4e6 / 8 B/s x 15.921891 s = 203 800 204.8 -> 203 800 204 B (rounded down);
// migrated = 8 388 608 + 203 800 204 = 212 188 812 B. The way back is partial's from the serving
// context: the rest of a full resume, 4 - 1 = 3 s (1200 -> 1203), then page 1 back: 1.068142 s; the
// window closes at 1204.068142: window 204.068142 s, return latency 4.068142 s.
// State totals (us): idle 60 000 000; migrating 3 068 109 + 15 921 891 + 1 068 142 = 20 058 142;
//   serving 40 002 033; suspending 4 000 000; asleep 14 931 891 + 60 056 076 = 74 987 967;
//   resuming_selective 2 020 000; resuming_full 3 000 000. Sum 204 068 142.
// Energy: 6000 + 110x20.058142 + 30x40.002033 + 50x4 + 2x74.987967 + 40x2.02 + 80x3
//   = 6000 + 2206.39562 + 1200.06099 + 200 + 149.975934 + 80.8 + 240 = 10 077.232544 J.
TEST(HandDerivedHybrid, ReturnDuringTheBulkCancelsItAndCountsWhatWasSent) {
  TempDir dir;
  const auto s = load_hybrid_scenario(dir, "desktop,start,end\nd0,1000,1200\n", "120s", "102.4Mbps");
  const RunOutput out = run_strategy(s, "hybrid");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(sim::name_of(r.outcome), "migrated");
  EXPECT_EQ(r.window.us(), 204'068'142);
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                         .migrating = 20'058'142,
                         .suspending = 4'000'000,
                         .asleep = 74'987'967,
                         .resuming_full = 3'000'000,
                         .resuming_selective = 2'020'000,
                         .serving = 40'002'033});
  EXPECT_EQ(r.wakeups, 2u);
  EXPECT_EQ(r.migrated.count(), 212'188'812u);
  EXPECT_EQ(r.fetched.count(), 4096u);
  EXPECT_EQ(r.reintegrated.count(), 8'392'704u);
  ASSERT_TRUE(r.return_latency.has_value());
  EXPECT_EQ(r.return_latency->us(), 4'068'142);
  expect_energy(r.energy, 10'077.232544, "energy");
}

// A period that ends before the VM has been hosted for `after` is partial's, field for field: here
// [1000, 1150) with after 120 s (the bulk would start at 1183.068109), and a one-hour period with
// after 2 h on a profile that faults every 300 s.
TEST(HandDerivedHybrid, ShorterThanAfterEqualsPartial) {
  {
    TempDir dir;
    const auto s = load_hybrid_scenario(dir, "desktop,start,end\nd0,1000,1150\n", "120s", "102.4Mbps");
    expect_same_run(run_strategy(s, "partial"), run_strategy(s, "hybrid"));
  }
  {
    TempDir dir;
    const std::string every300 =
        "time,page,op\n300,1,r\n600,2,w\n900,3,r\n1200,4,w\n1500,5,r\n1800,6,w\n2100,7,r\n2400,8,w\n";
    const auto s = load_hybrid_scenario(dir, "desktop,start,end\nd0,1000,4600\nd0,5000,5100\n", "2h",
                                        "100Mbps", every300);
    const RunOutput partial = run_strategy(s, "partial");
    ASSERT_EQ(partial.records.size(), 2u);
    EXPECT_EQ(partial.records[0].second.wakeups, 8u);
    expect_same_run(partial, run_strategy(s, "hybrid"));
  }
}

// Not hand-derived: the bundled office (a star uplink shared by 20 desktops, so bulk flows share it
// and page requests see their shares) with the bulk phase after 10 min gives the same records with
// run-ahead (sim/MODEL.md, "Event order and run-ahead") as in queue order, and moves more bytes than
// partial with fewer wake-ups.
TEST(HybridRunAhead, OfficeGivesTheSameRecordsEitherWay) {
  sim::Scenario s = sim::load_scenario(std::string(sim::kDefaultScenario),
                                       {"strategies=[partial,hybrid]", "migration.hybrid.after=10min"});
  const RunOutput ahead = run_strategy(s, "hybrid");
  s.run_ahead = false;
  const RunOutput queued = run_strategy(s, "hybrid");
  expect_same_run(queued, ahead);
  const RunOutput partial = run_strategy(s, "partial");
  EXPECT_GT(ahead.result.totals.all.network().count(), partial.result.totals.all.network().count());
  std::uint64_t hybrid_wakeups = 0, partial_wakeups = 0;
  for (const auto& [desktop, r] : ahead.records) hybrid_wakeups += r.wakeups;
  for (const auto& [desktop, r] : partial.records) partial_wakeups += r.wakeups;
  EXPECT_LT(hybrid_wakeups, partial_wakeups);
}

}  // namespace
}  // namespace jettison::testing::model
