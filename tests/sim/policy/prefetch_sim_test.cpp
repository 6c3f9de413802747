// Prefetchers in the simulator (sim/MODEL.md "Policies", policy/PREFETCH.md), hand-derived.
// Scenario (model_support.hpp): powers idle 100 W, active 120 W, migrating 110 W, suspending 50 W,
// asleep 2 W, resuming_full 80 W, resuming_selective 40 W, serving 30 W; suspend 2 s, resume_full
// 4 s, resume_selective 1 s, wake_on_lan 10 ms; link 1 Gbps, latency 1 ms; A = 60 s; page 4096 B;
// vm_memory 1 GiB = 262 144 pages (ids 0 .. 262 143); metadata 8 MiB = 8 388 608 B, partial setup
// 3 s; reintegration_setup 1 s; timeout sleep rule, 20 s.
//
// Transfers at 1 Gbps (B x 8 / 1e9 s to the nearest whole microsecond, ties up):
//   1 page  4 096 B   ->  32.768 us ->  33 us      (a request: 2 ms + 33 us = 2 033 us)
//   2 pages 8 192 B   ->  65.536 us ->  66 us      (a request: 2 ms + 66 us = 2 066 us)
//   3 pages 12 288 B  ->  98.304 us ->  98 us      (a request: 2 ms + 98 us = 2 098 us)
//   metadata 8 388 608 B             -> 67 108.864 -> 67 109 us
//   metadata + 1 page  8 392 704 B   -> 67 141.632 -> 67 142 us
//   metadata + 2 pages 8 396 800 B   -> 67 174.4   -> 67 174 us
//   metadata + 4 pages 8 404 992 B   -> 67 239.936 -> 67 240 us
// Migration without prefetch: 3 s + 1 ms + 67 109 us = 3 068 109 us.
// Wake-up: resuming_selective for 10 ms + 1 s = 1 010 000 us.
#include <gtest/gtest.h>

#include "tests/sim/policy/policy_support.hpp"

namespace jettison::testing::policy_sim {
namespace {

using model::expect_energy;
using model::run_strategy;
using sim::PowerState;

// ---------------------------------------------------------------------------------------------
// `spatial`, radius 1: a fault on p sends p-1 and p+1 with it. Period [1000 s, 4600 s), profile
// (when_shorter: stop), offsets in seconds (absolute time = 1000 + offset):
//
//   migrating 1060 -> 1063.068109; serving from there (timer at 1083.068109)
//   70  page 10 r: fault (serving). Neighbours 9 (never in the profile) and 11: both sent.
//                  One request of 3 pages: served 1070 + 2 098 us = 1070.002098 (timer 1090.002098).
//   72  page 14 r: fault. Neighbours 13 and 15 (never in the profile): sent. 3 pages:
//                  served 1072.002098 (timer 1092.002098).
//   75  page 11 w: prefetched at 70: not a fault; prefetch_used 1; dirty.
//   78  page 12 r: fault. Neighbours 11 and 13 are on the server: nothing sent with it. 1 page:
//                  served 1078.002033; timer 1098.002033.
//   80  page 13 r: prefetched at 72: prefetch_used 2.
//   suspending 1098.002033 -> 1100.002033, asleep.
//   300 page 8 w:  asleep: wake-up 1, fault. Neighbours 7 (sent) and 9 (never in the profile and
//                  already sent at 70: not sent again). Resuming 1300 -> 1301.01; 2 pages served
//                  1301.01 + 2 066 us = 1301.012066; timer 1321.012066; suspending -> 1323.012066.
//   600 page 262143 r: the VM's last page. Asleep: wake-up 2, fault. Neighbours 262142 (sent) and
//                  262144 (beyond vm_memory: not sent). Resuming 1600 -> 1601.01; 2 pages served
//                  1601.012066; timer 1621.012066; suspending -> 1623.012066.
//   900 page 7 r:  prefetched at 300: prefetch_used 3; no fault, so no wake-up.
//   1200 page 30 r: asleep: wake-up 3, fault. Neighbours 29 and 31 (never in the profile): sent.
//                  Resuming 2200 -> 2201.01; 3 pages served 2201.01 + 2 098 us = 2201.012098; the
//                  timer counts from there: 2221.012098; suspending -> 2223.012098.
//   user back at 4600 (asleep): resuming_full -> 4604; reintegration of the 2 dirty pages (11, 8):
//   1 s + 1 ms + 67 174 us = 1 068 174 us -> close 4605.068174; r = 5.068174 s.
//
// Pages: fetched 6 (10, 14, 12, 8, 262143, 30) = 24 576 B; prefetched 8 (9, 11, 13, 15, 7, 262142,
//   29, 31) = 32 768 B; used 3 (11, 13, 7); never used 9, 15, 262142, 29, 31. Precision 3/8;
//   coverage 3/(3+6).
// Network: 8 388 608 + 24 576 + 32 768 + 8 396 800 = 16 842 752 B.
// Server peak: 8 388 608 + (6 + 8) x 4 096 = 8 445 952 B.
// State totals (us): idle 60 000 000; migrating 3 068 109 + 1 068 174 = 4 136 283;
//   serving (1063.068109 -> 1098.002033) 34 933 924 + 2 x 20 002 066 + 20 002 098 = 94 940 154;
//   suspending 4 x 2 s = 8 000 000; resuming_selective 3 x 1 010 000 = 3 030 000;
//   asleep (1100.002033 -> 1300) 199 997 967 + (1323.012066 -> 1600) 276 987 934
//          + (1623.012066 -> 2200) 576 987 934 + (2223.012098 -> 4600) 2 376 987 902
//          = 3 430 961 737; resuming_full 4 000 000. Sum 3 605 068 174 = window.
// Energy: 6000 + 110x4.136283 + 30x94.940154 + 50x8 + 40x3.03 + 2x3430.961737 + 80x4
//   = 6000 + 454.99113 + 2848.20462 + 400 + 121.2 + 6861.923474 + 320 = 17 006.319224 J
// Baseline: 360 000 + 120 x 5.068174 = 360 608.18088 J.
// ---------------------------------------------------------------------------------------------
constexpr const char* kSpatialProfile =
    "time,page,op\n"
    "70,10,r\n72,14,r\n75,11,w\n78,12,r\n80,13,r\n"
    "300,8,w\n600,262143,r\n900,7,r\n1200,30,r\n";

TEST(PrefetchInSim, SpatialSendsNeighboursWithTheFault) {
  TempDir dir;
  const auto s = load_policy_scenario(dir, "desktop,start,end\nd0,1000,4600\n", kSpatialProfile,
                                      "  prefetch: {rule: spatial, radius: 1}\n");
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(sim::name_of(r.outcome), "migrated");
  ASSERT_TRUE(r.migration_latency.has_value());
  EXPECT_EQ(r.migration_latency->us(), 3'068'109) << "spatial sends nothing at migration";
  EXPECT_EQ(r.window.us(), 3'605'068'174);
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                         .migrating = 4'136'283,
                         .suspending = 8'000'000,
                         .asleep = 3'430'961'737,
                         .resuming_full = 4'000'000,
                         .resuming_selective = 3'030'000,
                         .serving = 94'940'154});
  EXPECT_EQ(r.fetched_pages, 6u);
  EXPECT_EQ(r.prefetched_pages, 8u);
  EXPECT_EQ(r.prefetch_used, 3u);
  EXPECT_EQ(r.wakeups, 3u);
  EXPECT_EQ(r.dirty_pages, 2u);
  EXPECT_EQ(r.migrated.count(), 8'388'608u);
  EXPECT_EQ(r.fetched.count(), 24'576u);
  EXPECT_EQ(r.prefetched.count(), 32'768u);
  EXPECT_EQ(r.reintegrated.count(), 8'396'800u);
  EXPECT_EQ(r.network().count(), 16'842'752u);
  ASSERT_TRUE(r.return_latency.has_value());
  EXPECT_EQ(r.return_latency->us(), 5'068'174);
  expect_energy(r.energy, 17'006.319224, "energy");
  expect_energy(r.baseline, 360'608.18088, "baseline");
  EXPECT_EQ(out.result.server_peak.count(), 8'445'952u);
  EXPECT_DOUBLE_EQ(out.result.totals.all.prefetch_precision(), 3.0 / 8.0);
  EXPECT_DOUBLE_EQ(out.result.totals.all.prefetch_coverage(), 3.0 / 9.0);
  EXPECT_EQ(out.result.totals.all.network().count(), 16'842'752u);
}

// The same profile without prefetching, for contrast: faults on 10, 14, 11, 12, 13, 8, 262143, 7,
// 30 (9 pages, each a 1-page request); page 7 at 900 now finds the desktop asleep: 4 wake-ups.
TEST(PrefetchInSim, SpatialAvoidsTheFaultsItCovers) {
  TempDir dir;
  const auto s = load_policy_scenario(dir, "desktop,start,end\nd0,1000,4600\n", kSpatialProfile,
                                      "  prefetch: {rule: none}\n");
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(r.fetched_pages, 9u);
  EXPECT_EQ(r.prefetched_pages, 0u);
  EXPECT_EQ(r.prefetch_used, 0u);
  EXPECT_EQ(r.wakeups, 4u);
}

// ---------------------------------------------------------------------------------------------
// `history` (budget 16 MiB = 4 096 pages): two periods of one desktop. Profile (stop):
//   offset 100 page 7 r, 200 page 5 w, 300 page 9 r, 400 page 3 r.
//
// Period 1 [1000, 1450) (L = 450 s): nothing learned yet: nothing sent at migration.
//   migrating 1060 -> 1063.068109 (3 068 109 us); serving -> 1083.068109; suspending -> 1085.068109.
//   At offsets 100, 200, 300, 400 the desktop is asleep: 4 wake-ups; each: resuming_selective
//   1.01 s, the page served 2 033 us later, 20 s timer, 2 s suspend. The last suspend ends at
//   offset 423.012033; asleep -> 450; resuming_full -> 454; reintegration of page 5 + metadata:
//   1 s + 1 ms + 67 142 us = 1 068 142 us -> close at offset 455.068142.
//   asleep (100 - 85.068109) + 3 x (100 - 23.012033) + (450 - 423.012033) = 272.883759 s;
//   serving 20 + 4 x 20.002033 = 100.008132 s; suspending 5 x 2 s; resuming_selective 4 x 1.01 s.
//   Energy: 6000 + 110x4.136251 + 30x100.008132 + 50x10 + 40x4.04 + 2x272.883759 + 80x4
//     = 6000 + 454.98761 + 3000.24396 + 500 + 161.6 + 545.767518 + 320 = 10 982.599088 J.
//   At its close the prefetcher learns the touched pages 7, 5, 9, 3 (one period each).
//
// Period 2 [10000, 10250) (L = 250 s): the ranking (periods, then recency, then page id) is 3, 5,
//   7, 9, all within the budget: the 4 pages travel with the metadata. The migration takes
//   3 s + 1 ms + transfer(8 388 608 + 4 x 4 096 = 8 404 992 B) = 3 s + 1 ms + 67 240 us
//   = 3 068 240 us: 131 us longer (the 4 pages' 131.072 us, the sum rounded once).
//   serving 63.068240 -> 83.068240; suspending -> 85.068240; asleep.
//   offset 100 page 7: on the server: used; 200 page 5 w: used, dirty. No fault, no wake-up.
//   asleep -> 250 (164.931760 s); resuming_full -> 254; reintegration of page 5: 1 068 142 us
//   -> close at offset 255.068142.
//   States (us): idle 60 000 000; migrating 3 068 240 + 1 068 142 = 4 136 382; serving 20 000 000;
//   suspending 2 000 000; asleep 164 931 760; resuming_full 4 000 000. Sum 255 068 142.
//   Energy: 6000 + 110x4.136382 + 30x20 + 50x2 + 2x164.93176 + 80x4
//     = 6000 + 455.00202 + 600 + 100 + 329.86352 + 320 = 7 804.86554 J.
//   Bytes: migrated 8 388 608 (the metadata), prefetched 16 384, fetched 0, reintegrated 8 392 704.
// ---------------------------------------------------------------------------------------------
constexpr const char* kHistoryProfile = "time,page,op\n100,7,r\n200,5,w\n300,9,r\n400,3,r\n";

TEST(PrefetchInSim, HistorySendsLastPeriodsPagesAtMigration) {
  TempDir dir;
  const auto s = load_policy_scenario(dir, "desktop,start,end\nd0,1000,1450\nd0,10000,10250\n",
                                      kHistoryProfile, "  prefetch: {rule: history, budget: 16MiB}\n");
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 2u);
  {
    SCOPED_TRACE("period 1");
    const sim::PeriodRecord& r = out.records[0].second;
    EXPECT_EQ(r.period, 0u);
    ASSERT_TRUE(r.migration_latency.has_value());
    EXPECT_EQ(r.migration_latency->us(), 3'068'109);
    EXPECT_EQ(r.window.us(), 455'068'142);
    EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                           .migrating = 4'136'251,
                           .suspending = 10'000'000,
                           .asleep = 272'883'759,
                           .resuming_full = 4'000'000,
                           .resuming_selective = 4'040'000,
                           .serving = 100'008'132});
    EXPECT_EQ(r.prefetched_pages, 0u);
    EXPECT_EQ(r.prefetched.count(), 0u);
    EXPECT_EQ(r.prefetch_used, 0u);
    EXPECT_EQ(r.fetched_pages, 4u);
    EXPECT_EQ(r.wakeups, 4u);
    EXPECT_EQ(r.dirty_pages, 1u);
    expect_energy(r.energy, 10'982.599088, "energy");
  }
  {
    SCOPED_TRACE("period 2");
    const sim::PeriodRecord& r = out.records[1].second;
    EXPECT_EQ(r.period, 1u);
    EXPECT_EQ(r.start.us(), 10'000'000'000);
    ASSERT_TRUE(r.migration_latency.has_value());
    EXPECT_EQ(r.migration_latency->us(), 3'068'240);
    EXPECT_EQ(r.window.us(), 255'068'142);
    EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                           .migrating = 4'136'382,
                           .suspending = 2'000'000,
                           .asleep = 164'931'760,
                           .resuming_full = 4'000'000,
                           .serving = 20'000'000});
    EXPECT_EQ(r.prefetched_pages, 4u);
    EXPECT_EQ(r.prefetched.count(), 16'384u);
    EXPECT_EQ(r.prefetch_used, 2u);
    EXPECT_EQ(r.fetched_pages, 0u);
    EXPECT_EQ(r.fetched.count(), 0u);
    EXPECT_EQ(r.wakeups, 0u);
    EXPECT_EQ(r.dirty_pages, 1u);
    EXPECT_EQ(r.migrated.count(), 8'388'608u);
    EXPECT_EQ(r.reintegrated.count(), 8'392'704u);
    EXPECT_EQ(r.network().count(), 8'388'608u + 16'384u + 8'392'704u);
    expect_energy(r.energy, 7'804.86554, "energy");
  }
  // The server held, at most, metadata + 4 fetched pages (period 1) or + 4 prefetched (period 2).
  EXPECT_EQ(out.result.server_peak.count(), 8'388'608u + 4u * 4096u);
}

// ---------------------------------------------------------------------------------------------
// `history` with a budget of 8 KiB = 2 pages: the ranking decides. Same profile, three periods:
//   P1 [1000, 1450): as above (4 faults, 4 wake-ups); learns 7, 5, 9, 3 (1 period each, last 1).
//   P2 [10000, 10250): ranking 3, 5, 7, 9 (ties broken by page id): sends 3 and 5.
//     migration 3 s + 1 ms + transfer(metadata + 2 pages) = 3 s + 1 ms + 67 174 us = 3 068 174 us.
//     offset 100 page 7: asleep (suspended at 83.068174 -> 85.068174): fault, wake-up 1;
//     offset 200 page 5: prefetched: used. Page 3 is never touched: sent, not used.
//     Learns 7 (2 periods, last 2) and 5 (2 periods, last 2).
//   P3 [20000, 20450): ranking 5, 7 (2 periods) before 3, 9 (1 period): sends 5 and 7 (page 3 loses
//     to page 7 despite its lower id). Offsets 100 (7) and 200 (5): used; 300 (9) and 400 (3):
//     faults on an asleep desktop: 2 wake-ups.
// ---------------------------------------------------------------------------------------------
TEST(PrefetchInSim, HistoryRanksByPeriodsWithinItsBudget) {
  TempDir dir;
  const auto s =
      load_policy_scenario(dir, "desktop,start,end\nd0,1000,1450\nd0,10000,10250\nd0,20000,20450\n",
                           kHistoryProfile, "  prefetch: {rule: history, budget: 8KiB}\n");
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 3u);
  struct Want {
    std::int64_t latency;
    std::uint64_t prefetched, used, fetched, wakeups;
  };
  const Want want[] = {{3'068'109, 0, 0, 4, 4}, {3'068'174, 2, 1, 1, 1}, {3'068'174, 2, 2, 2, 2}};
  for (std::size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE("period " + std::to_string(i + 1));
    const sim::PeriodRecord& r = out.records[i].second;
    ASSERT_TRUE(r.migration_latency.has_value());
    EXPECT_EQ(r.migration_latency->us(), want[i].latency);
    EXPECT_EQ(r.prefetched_pages, want[i].prefetched);
    EXPECT_EQ(r.prefetched.count(), want[i].prefetched * 4096u);
    EXPECT_EQ(r.prefetch_used, want[i].used);
    EXPECT_EQ(r.fetched_pages, want[i].fetched);
    EXPECT_EQ(r.wakeups, want[i].wakeups);
  }
}

}  // namespace
}  // namespace jettison::testing::policy_sim
