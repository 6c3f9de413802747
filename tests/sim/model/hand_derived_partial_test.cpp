// Hand-derived cases of `partial` from sim/MODEL.md. Scenario (model_support.hpp): powers idle 100 W,
// active 120 W, migrating 110 W, suspending 50 W, asleep 2 W, resuming_full 80 W, resuming_selective
// 40 W, serving 30 W; suspend 2 s, resume_full 4 s, resume_selective 1 s, wake_on_lan 10 ms; link
// 1 Gbps, latency 1 ms; migrate_after A = 60 s; page 4096 B; metadata 8 MiB = 8 388 608 B, partial
// setup 3 s; reintegration_setup 1 s; timeout sleep rule, 20 s; server 5 W per VM, not added.
//
// Transfers at 1 Gbps (B x 8 / 1e9 s to the nearest whole microsecond, ties up):
//   metadata 8 388 608 B           -> 67 108.864 us -> 67 109 us
//   1 page 4096 B                  ->     32.768 us ->     33 us
//   2 pages 8192 B                 ->     65.536 us ->     66 us
//   metadata + 1 page  8 392 704 B -> 67 141.632 us -> 67 142 us
//   metadata + 2 pages 8 396 800 B -> 67 174.4   us -> 67 174 us
//   metadata + 5 pages 8 409 088 B -> 67 272.704 us -> 67 273 us
// Migration: 3 s + 1 ms + 67 109 us = 3 068 109 us, from t0 + 60 s.
// Serving one page requested at t: done at t + 2 ms + 33 us = t + 2033 us.
// Wake-up: resuming_selective for 10 ms + 1 s = 1 010 000 us.
// Reintegration of n dirty pages: 1 s + 1 ms + transfer(n x 4096 + metadata).
#include <gtest/gtest.h>

#include "tests/sim/model/model_support.hpp"

namespace jettison::testing::model {
namespace {

using sim::PowerState;

// ---------------------------------------------------------------------------------------------
// One new page every 300 s, every other one written (when_shorter: stop). Period [1000 s, 4600 s).
//
//   offset 10 (page 100 w): before migrate_after: the VM is still local, not replayed.
//   offset 62 (page 101 w): during the migration [60, 63.068109): not replayed (replay starts at
//                           the migration's end).
//   offsets 300, 600, ..., 3300: pages 1..11 (even pages written): 11 new pages.
//   offset 3600 (page 12 w): at t0 + L, not < L: not replayed.
//
// Timeline (absolute seconds):
//   idle        1000        -> 1060                    60 s
//   migrating   1060        -> 1063.068109             3.068109 s (migration latency)
//   serving     1063.068109 -> 1083.068109             20 s (timeout from the migration's end)
//   suspending  1083.068109 -> 1085.068109             2 s
//   asleep      1085.068109 -> 1300                    214.931891 s
//   For k = 1..11, a request at 1000 + 300k finds the desktop asleep: wake-up k.
//     resuming_selective 1000+300k -> +1.01 s
//     serving: page served at +1.01 + 0.002033; timeout from there: serving 20.002033 s
//     suspending 2 s, then asleep until the next request: 300 - 23.012033 = 276.987967 s
//     (after k = 11: asleep 4323.012033 -> 4600, also 276.987967 s)
//   user back at 4600 while asleep: resuming_full 4600 -> 4604 (4 s)
//   reintegration of 5 dirty pages (2, 4, 6, 8, 10): 1 s + 1 ms + 67 273 us = 1 068 273 us
//   window closes at 4605.068273: r = 5.068273 s, window = 3605.068273 s.
//
// State totals (us): idle 60 000 000; migrating 3 068 109 + 1 068 273 = 4 136 382;
//   serving 20 000 000 + 11 x 20 002 033 = 240 022 363; suspending 12 x 2 s = 24 000 000;
//   resuming_selective 11 x 1 010 000 = 11 110 000; resuming_full 4 000 000;
//   asleep 214 931 891 + 11 x 276 987 967 = 3 261 799 528. Sum = 3 605 068 273 = window.
// Energy: 100x60 + 110x4.136382 + 30x240.022363 + 50x24 + 40x11.11 + 80x4 + 2x3261.799528
//   = 6000 + 455.00202 + 7200.67089 + 1200 + 444.4 + 320 + 6523.599056 = 22 143.671966 J
// Baseline: 100x3600 + 120x5.068273 = 360 608.19276 J; savings = 93.859 %.
// Bytes: migrated 8 388 608; fetched 11 x 4096 = 45 056; reintegrated 5 x 4096 + 8 388 608 = 8 409 088.
// Server energy: 5 W x (4605.068273 - 1063.068109) = 5 x 3542.000164 = 17 710.00082 J (not added).
// ---------------------------------------------------------------------------------------------
constexpr const char* kNewPageEvery300s =
    "time,page,op\n"
    "10,100,w\n"
    "62,101,w\n"
    "300,1,r\n600,2,w\n900,3,r\n1200,4,w\n1500,5,r\n1800,6,w\n2100,7,r\n2400,8,w\n2700,9,r\n"
    "3000,10,w\n3300,11,r\n"
    "3600,12,w\n";

TEST(HandDerivedPartial, NewPageEvery300sWakesTheDesktopEachTime) {
  TempDir dir;
  const auto s = load_hand_scenario(dir, "desktop,start,end\nd0,1000,4600\n", kNewPageEvery300s);
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(sim::name_of(r.outcome), "migrated");
  EXPECT_EQ(r.idle.us(), 3'600'000'000);
  EXPECT_EQ(r.window.us(), 3'605'068'273);
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                         .migrating = 4'136'382,
                         .suspending = 24'000'000,
                         .asleep = 3'261'799'528,
                         .resuming_full = 4'000'000,
                         .resuming_selective = 11'110'000,
                         .serving = 240'022'363});
  ASSERT_TRUE(r.migration_latency.has_value());
  EXPECT_EQ(r.migration_latency->us(), 3'068'109);
  ASSERT_TRUE(r.return_latency.has_value());
  EXPECT_EQ(r.return_latency->us(), 5'068'273);
  EXPECT_EQ(r.wakeups, 11u);
  EXPECT_EQ(r.fetched_pages, 11u);
  EXPECT_EQ(r.dirty_pages, 5u);
  EXPECT_EQ(r.migrated.count(), 8'388'608u);
  EXPECT_EQ(r.fetched.count(), 45'056u);
  EXPECT_EQ(r.reintegrated.count(), 8'409'088u);
  expect_energy(r.energy, 22'143.671966, "energy");
  expect_energy(r.baseline, 360'608.19276, "baseline");
  expect_energy(r.server_energy, 17'710.00082, "server energy");
  EXPECT_NEAR(out.result.totals.all.savings_pct(), 100.0 * (1.0 - 22'143.671966 / 360'608.19276), 0.01);
  // Peak on the server: metadata + the 11 fetched pages.
  EXPECT_EQ(out.result.server_peak.count(), 8'388'608u + 11u * 4096u);
}

// Same, with add_to_total: the server's share is added: 22 143.671966 + 17 710.00082 = 39 853.672786 J.
TEST(HandDerivedPartial, ServerShareAddedWhenConfigured) {
  TempDir dir;
  Knobs k;
  k.add_to_total = true;
  const auto s = load_hand_scenario(dir, "desktop,start,end\nd0,1000,4600\n", kNewPageEvery300s, k);
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  expect_energy(r.server_energy, 17'710.00082, "server energy");
  expect_energy(r.energy, 39'853.672786, "energy");
  expect_energy(r.baseline, 360'608.19276, "baseline");
}

// Two desktops with the same periods and profile: each record is the one above; the server holds both
// VMs' metadata and fetched pages at once: peak = 2 x (8 388 608 + 11 x 4096) = 16 867 328 B.
TEST(HandDerivedPartial, TwoDesktopsShareTheServer) {
  TempDir dir;
  const auto s =
      load_hand_scenario(dir, "desktop,start,end\nd0,1000,4600\nd1,1000,4600\n", kNewPageEvery300s);
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 2u);
  for (const auto& [desktop, r] : out.records) {
    SCOPED_TRACE(desktop);
    EXPECT_EQ(r.window.us(), 3'605'068'273);
    EXPECT_EQ(r.wakeups, 11u);
    expect_energy(r.energy, 22'143.671966, "energy");
  }
  EXPECT_EQ(out.result.server_peak.count(), 16'867'328u);
  EXPECT_EQ(out.result.totals.all.network().count(), 2u * (8'388'608u + 45'056u + 8'409'088u));
}

// Two periods of the desktop: the VM came home at the end of the first, so the second starts with
// nothing on the server and repeats the first's story exactly (11 fetches, 11 wake-ups, ...).
TEST(HandDerivedPartial, EachPeriodStartsWithNothingOnTheServer) {
  TempDir dir;
  const auto s =
      load_hand_scenario(dir, "desktop,start,end\nd0,1000,4600\nd0,10000,13600\n", kNewPageEvery300s);
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 2u);
  for (const auto& [desktop, r] : out.records) {
    SCOPED_TRACE(r.period);
    EXPECT_EQ(r.window.us(), 3'605'068'273);
    EXPECT_EQ(r.fetched_pages, 11u);
    EXPECT_EQ(r.wakeups, 11u);
    EXPECT_EQ(r.dirty_pages, 5u);
    EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                           .migrating = 4'136'382,
                           .suspending = 24'000'000,
                           .asleep = 3'261'799'528,
                           .resuming_full = 4'000'000,
                           .resuming_selective = 11'110'000,
                           .serving = 240'022'363});
  }
  EXPECT_EQ(out.records[1].second.start.us(), 10'000'000'000);
}

// The replay starts at the migration's end, inclusive: the migration ends at offset 63.068109.
//   offset 63.068108 page 8 w: 1 us before: the VM still on the desktop: not replayed.
//   offset 63.068109 page 7 w: at the end: the desktop is serving: served at 1063.070142 (+2033 us);
//   the timeout runs from there: suspend 1083.070142 -> 1085.070142; asleep -> 4600 (3514.929858 s);
//   resuming_full -> 4604; reintegration of page 7: 1 068 142 us -> 4605.068142.
// States (us): idle 60 000 000; migrating 3 068 109 + 1 068 142 = 4 136 251; serving 20 002 033;
//   suspending 2 000 000; asleep 3 514 929 858; resuming_full 4 000 000. Sum 3 605 068 142.
// Energy: 6000 + 454.98761 + 600.06099 + 100 + 7029.859716 + 320 = 14 504.908316 J.
TEST(HandDerivedPartial, ReplayStartsAtTheMigrationsEnd) {
  TempDir dir;
  const auto s = load_hand_scenario(dir, "desktop,start,end\nd0,1000,4600\n",
                                    "time,page,op\n63.068108,8,w\n63.068109,7,w\n");
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(r.window.us(), 3'605'068'142);
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                         .migrating = 4'136'251,
                         .suspending = 2'000'000,
                         .asleep = 3'514'929'858,
                         .resuming_full = 4'000'000,
                         .serving = 20'002'033});
  EXPECT_EQ(r.fetched_pages, 1u);
  EXPECT_EQ(r.dirty_pages, 1u);
  EXPECT_EQ(r.wakeups, 0u);
  expect_energy(r.energy, 14'504.908316, "energy");
}

// ---------------------------------------------------------------------------------------------
// A repeating profile (when_shorter: repeat) with one access, page 1 written at offset 300 s. Its
// default replay period is the whole second after its last access: 301 s, so page 1 is touched at
// offsets 300, 601, 902, ..., 3310 (11 times < 3600). Only the first touch is a fetch (wake-up 1,
// served 1301.012033, suspend 1321.012033 -> 1323.012033); the ten later copies find it on the server
// and do not wake the desktop. Dirty: page 1.
//   asleep 1085.068109 -> 1300 (214.931891 s) and 1323.012033 -> 4600 (3276.987967 s)
//   user back at 4600: resuming_full -> 4604; reintegration of 1 page: 1 068 142 us -> 4605.068142.
// States (us): idle 60 000 000; migrating 3 068 109 + 1 068 142 = 4 136 251; serving 20 000 000 +
//   20 002 033 = 40 002 033; suspending 4 000 000; asleep 3 491 919 858; resuming_selective 1 010 000;
//   resuming_full 4 000 000. Sum 3 605 068 142.
// Energy: 6000 + 454.98761 + 1200.06099 + 200 + 6983.839716 + 40.4 + 320 = 15 199.288316 J.
// ---------------------------------------------------------------------------------------------
TEST(HandDerivedPartial, RepeatingProfileRetouchesResidentPages) {
  TempDir dir;
  Knobs k;
  k.when_shorter = "repeat";
  const auto s = load_hand_scenario(dir, "desktop,start,end\nd0,1000,4600\n", "time,page,op\n300,1,w\n", k);
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(r.window.us(), 3'605'068'142);
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                         .migrating = 4'136'251,
                         .suspending = 4'000'000,
                         .asleep = 3'491'919'858,
                         .resuming_full = 4'000'000,
                         .resuming_selective = 1'010'000,
                         .serving = 40'002'033});
  EXPECT_EQ(r.wakeups, 1u);
  EXPECT_EQ(r.fetched_pages, 1u);
  EXPECT_EQ(r.dirty_pages, 1u);
  EXPECT_EQ(r.reintegrated.count(), 8'392'704u);
  expect_energy(r.energy, 15'199.288316, "energy");
}

// ---------------------------------------------------------------------------------------------
// Repeats, two requests within one awake spell, a request while suspending, one queued while
// resuming. Period [1000 s, 4600 s):
//
//   offset  70 page 5 r: desktop serving (since 1063.068109): served 1070.002033; sleep at 1090.002033
//   suspending 1090.002033 -> 1092.002033, asleep -> 1300
//   offset 300 page 1 r: asleep: wake-up 1; resuming_selective 1300 -> 1301.01;
//                        served 1301.012033 (sleep at 1321.012033)
//   offset 305 page 2 w: serving: served 1305.002033 (sleep at 1325.002033): no wake-up; dirty
//   offset 310 page 1 w: already on the server: no fetch, no request; page 1 dirty
//   suspending 1325.002033 -> 1327.002033
//   offset 326 page 3 r: suspending: the suspend completes (1327.002033), then wake-up 2:
//                        resuming_selective 1327.002033 -> 1328.012033
//   offset 328 page 4 r: resuming_selective: queued with page 3
//   resume end 1328.012033: 2 pages served at 1328.012033 + 2 ms + 66 us = 1328.014099
//   suspending 1348.014099 -> 1350.014099, asleep -> 4600
//   offset 600 page 2 r, offset 900 page 1 w: resident, already dirty: nothing happens
//   user back at 4600 (asleep): resuming_full -> 4604; reintegration of 2 dirty pages (1, 2):
//   1 s + 1 ms + 67 174 us = 1 068 174 us -> close 4605.068174; r = 5.068174 s.
//
// State totals (us): idle 60 000 000; migrating 3 068 109 + 1 068 174 = 4 136 283;
//   serving (1063.068109->1090.002033) 26 933 924 + (1301.01->1325.002033) 23 992 033
//          + (1328.012033->1348.014099) 20 002 066 = 70 928 023;
//   suspending 3 x 2 s = 6 000 000; resuming_selective 2 x 1 010 000 = 2 020 000;
//   resuming_full 4 000 000; asleep (1092.002033->1300) 207 997 967 + (1350.014099->4600)
//          3 249 985 901 = 3 457 983 868. Sum = 3 605 068 174.
// Energy: 6000 + 110x4.136283 + 30x70.928023 + 50x6 + 40x2.02 + 80x4 + 2x3457.983868
//   = 6000 + 454.99113 + 2127.84069 + 300 + 80.8 + 320 + 6915.967736 = 16 199.599556 J
// Baseline: 360 000 + 120 x 5.068174 = 360 608.18088 J.
// fetched 5 pages (5, 1, 2, 3, 4) = 20 480 B; dirty 2; wake-ups 2; reintegrated 8 396 800 B.
// ---------------------------------------------------------------------------------------------
constexpr const char* kRepeatsAndBursts =
    "time,page,op\n"
    "70,5,r\n"
    "300,1,r\n305,2,w\n310,1,w\n"
    "326,3,r\n328,4,r\n"
    "600,2,r\n900,1,w\n";

TEST(HandDerivedPartial, RepeatsBurstsAndRequestsWhileSuspendingOrResuming) {
  TempDir dir;
  const auto s = load_hand_scenario(dir, "desktop,start,end\nd0,1000,4600\n", kRepeatsAndBursts);
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(sim::name_of(r.outcome), "migrated");
  EXPECT_EQ(r.window.us(), 3'605'068'174);
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                         .migrating = 4'136'283,
                         .suspending = 6'000'000,
                         .asleep = 3'457'983'868,
                         .resuming_full = 4'000'000,
                         .resuming_selective = 2'020'000,
                         .serving = 70'928'023});
  EXPECT_EQ(r.wakeups, 2u);
  EXPECT_EQ(r.fetched_pages, 5u);
  EXPECT_EQ(r.fetched.count(), 20'480u);
  EXPECT_EQ(r.dirty_pages, 2u);
  EXPECT_EQ(r.reintegrated.count(), 8'396'800u);
  ASSERT_TRUE(r.return_latency.has_value());
  EXPECT_EQ(r.return_latency->us(), 5'068'174);
  expect_energy(r.energy, 16'199.599556, "energy");
  expect_energy(r.baseline, 360'608.18088, "baseline");
}

// The same profile, the user back at 1310 (L = 310 s) while the desktop is `serving` (woken at 1300,
// page 2 served at 1305.002033, sleep due at 1325.002033). Accesses < 310: pages 5, 1, 2 (w).
//   resuming_full for resume_full - resume_selective = 3 s: 1310 -> 1313
//   reintegration of 1 dirty page: 1 s + 1 ms + 67 142 us = 1 068 142 us -> close 1314.068142
//   r = 4.068142 s; window 314.068142 s.
// States (us): idle 60 000 000; migrating 3 068 109 + 1 068 142 = 4 136 251;
//   serving 26 933 924 + (1301.01 -> 1310) 8 990 000 = 35 923 924; suspending 2 000 000;
//   asleep 207 997 967; resuming_selective 1 010 000; resuming_full 3 000 000.
// Energy: 6000 + 110x4.136251 + 30x35.923924 + 100 + 2x207.997967 + 40x1.01 + 80x3
//   = 6000 + 454.98761 + 1077.71772 + 100 + 415.995934 + 40.4 + 240 = 8329.101264 J
// Baseline: 100x310 + 120x4.068142 = 31 488.17704 J.
TEST(HandDerivedPartial, UserReturnsWhileServing) {
  TempDir dir;
  const auto s = load_hand_scenario(dir, "desktop,start,end\nd0,1000,1310\n", kRepeatsAndBursts);
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(r.window.us(), 314'068'142);
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                         .migrating = 4'136'251,
                         .suspending = 2'000'000,
                         .asleep = 207'997'967,
                         .resuming_full = 3'000'000,
                         .resuming_selective = 1'010'000,
                         .serving = 35'923'924});
  EXPECT_EQ(r.wakeups, 1u);
  EXPECT_EQ(r.fetched_pages, 3u);
  EXPECT_EQ(r.dirty_pages, 1u);
  EXPECT_EQ(r.reintegrated.count(), 8'392'704u);
  ASSERT_TRUE(r.return_latency.has_value());
  EXPECT_EQ(r.return_latency->us(), 4'068'142);
  expect_energy(r.energy, 8'329.101264, "energy");
  expect_energy(r.baseline, 31'488.17704, "baseline");
}

// The user back at 1300.5 (L = 300.5 s) during the selective resume that page 1 (offset 300) began.
//   The selective resume completes (1301.01), then resuming_full for 4 - 1 = 3 s -> 1304.01;
//   reintegration of 0 dirty pages: 1 s + 1 ms + 67 109 us = 1 068 109 us -> close 1305.078109.
//   r = 4.578109 s; window 305.078109 s. Page 1 was fetched (fetched_pages 1 + page 5 = 2).
// States (us): idle 60 000 000; migrating 3 068 109 + 1 068 109 = 4 136 218; serving 26 933 924;
//   suspending 2 000 000; asleep 207 997 967; resuming_selective 1 010 000; resuming_full 3 000 000.
// Energy: 6000 + 454.98398 + 808.01772 + 100 + 415.995934 + 40.4 + 240 = 8059.397634 J
// Baseline: 100x300.5 + 120x4.578109 = 30 599.37308 J.
TEST(HandDerivedPartial, UserReturnsDuringSelectiveResume) {
  TempDir dir;
  const auto s = load_hand_scenario(dir, "desktop,start,end\nd0,1000,1300.5\n", kRepeatsAndBursts);
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(r.window.us(), 305'078'109);
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                         .migrating = 4'136'218,
                         .suspending = 2'000'000,
                         .asleep = 207'997'967,
                         .resuming_full = 3'000'000,
                         .resuming_selective = 1'010'000,
                         .serving = 26'933'924});
  EXPECT_EQ(r.wakeups, 1u);
  EXPECT_EQ(r.fetched_pages, 2u);
  EXPECT_EQ(r.dirty_pages, 0u);
  EXPECT_EQ(r.reintegrated.count(), 8'388'608u);
  ASSERT_TRUE(r.return_latency.has_value());
  EXPECT_EQ(r.return_latency->us(), 4'578'109);
  expect_energy(r.energy, 8'059.397634, "energy");
  expect_energy(r.baseline, 30'599.37308, "baseline");
}

// The user back at 1091 (L = 91 s) while suspending (1090.002033 -> 1092.002033).
//   The suspend completes, then resuming_full for the whole 4 s: 1092.002033 -> 1096.002033;
//   reintegration (0 dirty) 1 068 109 us -> close 1097.070142; r = 6.070142 s; window 97.070142 s.
// States (us): idle 60 000 000; migrating 4 136 218; serving 26 933 924; suspending 2 000 000;
//   resuming_full 4 000 000.
// Energy: 6000 + 454.98398 + 808.01772 + 100 + 320 = 7683.0017 J; baseline 9100 + 120x6.070142
//   = 9828.41704 J.
TEST(HandDerivedPartial, UserReturnsWhileSuspending) {
  TempDir dir;
  const auto s = load_hand_scenario(dir, "desktop,start,end\nd0,1000,1091\n", kRepeatsAndBursts);
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(r.window.us(), 97'070'142);
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                         .migrating = 4'136'218,
                         .suspending = 2'000'000,
                         .resuming_full = 4'000'000,
                         .serving = 26'933'924});
  EXPECT_EQ(r.wakeups, 0u);
  EXPECT_EQ(r.fetched_pages, 1u);
  ASSERT_TRUE(r.return_latency.has_value());
  EXPECT_EQ(r.return_latency->us(), 6'070'142);
  expect_energy(r.energy, 7'683.0017, "energy");
  expect_energy(r.baseline, 9'828.41704, "baseline");
}

// The user back mid-migration. Latency 0 here, so the order of setup and latency within the
// migration cannot matter: the metadata goes out from 3 s after the migration began (1063).
// Period [1000, 1063.015625): the user is back 15 625 us into the transfer:
//   sent = 0.015625 s x 1e9 / 8 = 1 953 125 B (< 8 MiB). outcome aborted, r = 0, window = L.
//   States: idle 60 s, migrating 3.015625 s. E = 6000 + 110 x 3.015625 = 6331.71875 J;
//   baseline = 100 x 63.015625 = 6301.5625 J (no savings: migrating costs more than idle).
TEST(HandDerivedPartial, UserReturnsMidMigration) {
  TempDir dir;
  Knobs k;
  k.latency = "0s";
  const auto s = load_hand_scenario(dir, "desktop,start,end\nd0,1000,1063.015625\n", kRepeatsAndBursts, k);
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(sim::name_of(r.outcome), "aborted");
  EXPECT_EQ(r.window.us(), 63'015'625);
  EXPECT_EQ(r.window.us(), r.idle.us());
  EXPECT_FALSE(r.return_latency.has_value());
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000, .migrating = 3'015'625});
  EXPECT_EQ(r.migrated.count(), 1'953'125u);
  EXPECT_EQ(r.fetched.count(), 0u);
  EXPECT_EQ(r.reintegrated.count(), 0u);
  EXPECT_EQ(r.wakeups, 0u);
  expect_energy(r.energy, 6'331.71875, "energy");
  expect_energy(r.baseline, 6'301.5625, "baseline");
  EXPECT_EQ(r.server_energy.joules(), 0.0);
}

}  // namespace
}  // namespace jettison::testing::model
