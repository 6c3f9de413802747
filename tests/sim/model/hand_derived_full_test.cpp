// Hand-derived cases of `full` (pre-copy) from sim/MODEL.md. Scenario (model_support.hpp): powers
// idle 100 W, active 120 W, migrating 110 W, suspending 50 W, asleep 2 W, resuming_full 80 W;
// suspend 2 s, resume_full 4 s; link 1 Gbps, latency 1 ms; A = 60 s; page 4096 B; vm_memory 1 GiB
// = 1 073 741 824 B; metadata (CPU and device state) 8 MiB = 8 388 608 B; full setup 1 s; reintegration
// setup 1 s; server 5 W per VM.
//
// Transfers at 1 Gbps (B x 8 / 1e9 s to the nearest whole microsecond, ties up):
//   1 GiB                             -> 8 589 934.592 us -> 8 589 935 us
//   10 pages 40 960 B                 ->       327.68 us  ->       328 us
//   metadata + 10 pages 8 429 568 B   ->    67 436.544 us ->    67 437 us
//   metadata +  2 pages 8 396 800 B   ->    67 174.4 us   ->    67 174 us
//   metadata +  3 pages 8 400 896 B   ->    67 207.168 us ->    67 207 us
//   metadata +  5 pages 8 409 088 B   ->    67 272.704 us ->    67 273 us
//
// Period [1000 s, 4600 s). The migration starts at offset 60 s; setup until 61 s; round 1 (1 GiB)
// runs over offsets [61, 69.589935).
#include <gtest/gtest.h>

#include "tests/sim/model/model_support.hpp"

namespace jettison::testing::model {
namespace {

using sim::PowerState;

// The profile (when_shorter: stop):
//   offset 5 page 99 w: before the migration: irrelevant (round 1 sends all memory anyway).
//   offset 60.5 page 30 w: during the setup, before round 1 began: round 1 carries it; not dirty.
//   round 1 [61, 69.589935): writes to pages 10, 11, 12, 13, 15, 16, 17, 18, 19, 20 (page 10 twice),
//     a read of page 14 (not dirty): 10 dirty pages = 40 960 B.
//   offsets 69.59 and 69.5901: writes to pages 21, 22 (just after round 1 ends).
//   hosted: writes to 10 (offset 100), 50 (200 and 300), 51 (400), a read of 52 (500): 3 pages.
//   offset 3600 page 53 w: at t0 + L, not < L: not replayed.
constexpr const char* kPrecopyProfile =
    "time,page,op\n"
    "5,99,w\n"
    "60.5,30,w\n"
    "61.5,10,w\n62,11,w\n62.5,12,w\n63,13,w\n63.5,14,r\n64,15,w\n65,16,w\n66,17,w\n67,18,w\n68,19,w\n"
    "69,10,w\n69.5,20,w\n"
    "69.59,21,w\n69.5901,22,w\n"
    "100,10,w\n200,50,w\n300,50,w\n400,51,w\n500,52,r\n"
    "3600,53,w\n";

constexpr const char* kOneHour = "desktop,start,end\nd0,1000,4600\n";

// stop_copy_below 64 MiB: round 1's dirty set (40 960 B) is below it: stop-and-copy next, from
//   offset 69.589935. The writes at 69.59 / 69.5901 fall in the stop-and-copy: the VM is paused, so
//   it makes them when it resumes on the server, and pages 21 and 22 are dirty there (sim/MODEL.md,
//   "full"): they are not re-sent, but reintegrated.
//   migration = 1 s + 8 589 935 + 67 437 (10 pages + metadata) + 1 000 (latency) = 9 658 372 us
//   migrated = 1 073 741 824 + 40 960 + 8 388 608 = 1 082 171 392 B
// Timeline: idle 1000 -> 1060; migrating 1060 -> 1069.658372; suspending -> 1071.658372;
//   asleep -> 4600 (3528.341628 s); resuming_full -> 4604; reintegration of the 5 pages written from
//   the stop-and-copy's start (21, 22, then 10, 50, 51 while hosted) + metadata = 8 409 088 B:
//   1 s + 1 ms + 67 273 us = 1 068 273 us -> 4605.068273. r = 5.068273 s; window 3605.068273 s.
// States (us): idle 60 000 000; migrating 9 658 372 + 1 068 273 = 10 726 645; suspending 2 000 000;
//   asleep 3 528 341 628; resuming_full 4 000 000.
// Energy: 6000 + 110x10.726645 + 50x2 + 2x3528.341628 + 80x4
//   = 6000 + 1179.93095 + 100 + 7056.683256 + 320 = 14 656.614206 J
// Baseline: 360 000 + 120 x 5.068273 = 360 608.19276 J; savings 95.936 %.
// Server energy: 5 W x (4605.068273 - 1069.658372) = 17 677.049505 J.
// (Before the fix the paused VM's writes were lost: 3 dirty pages, 8 400 896 B, window 3605.068208 s.)
TEST(HandDerivedFull, PrecopyOneRoundThenStopAndCopy) {
  TempDir dir;
  const auto s = load_hand_scenario(dir, kOneHour, kPrecopyProfile);
  const RunOutput out = run_strategy(s, "full");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(sim::name_of(r.outcome), "migrated");
  ASSERT_TRUE(r.migration_latency.has_value());
  EXPECT_EQ(r.migration_latency->us(), 9'658'372);
  EXPECT_EQ(r.migrated.count(), 1'082'171'392u);
  EXPECT_EQ(r.dirty_pages, 5u);
  EXPECT_EQ(r.reintegrated.count(), 8'409'088u);
  EXPECT_EQ(r.fetched.count(), 0u);
  EXPECT_EQ(r.fetched_pages, 0u);
  EXPECT_EQ(r.wakeups, 0u);
  EXPECT_EQ(r.window.us(), 3'605'068'273);
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                         .migrating = 10'726'645,
                         .suspending = 2'000'000,
                         .asleep = 3'528'341'628,
                         .resuming_full = 4'000'000});
  ASSERT_TRUE(r.return_latency.has_value());
  EXPECT_EQ(r.return_latency->us(), 5'068'273);
  expect_energy(r.energy, 14'656.614206, "energy");
  expect_energy(r.baseline, 360'608.19276, "baseline");
  expect_energy(r.server_energy, 17'677.049505, "server energy");
  EXPECT_EQ(out.result.server_peak.count(), 1'073'741'824u);
}

// With add_to_total: 14 656.614206 + 17 677.049505 = 32 333.663711 J.
TEST(HandDerivedFull, ServerShareAddedWhenConfigured) {
  TempDir dir;
  Knobs k;
  k.add_to_total = true;
  const auto s = load_hand_scenario(dir, kOneHour, kPrecopyProfile, k);
  const RunOutput out = run_strategy(s, "full");
  ASSERT_EQ(out.records.size(), 1u);
  expect_energy(out.records[0].second.energy, 32'333.663711, "energy");
}

// stop_copy_below 16 KiB (4 pages): round 1's 10 dirty pages (40 960 B) are above it, so round 2
// re-sends them: offsets [69.589935, 69.590263) (328 us). During round 2 pages 21 and 22 are written
// (69.59, 69.5901): 8192 B <= 16 KiB: stop-and-copy sends them with the metadata (8 396 800 B, 67 174 us).
//   migration = 1 s + 8 589 935 + 328 + 67 174 + 1 000 = 9 658 437 us
//   migrated = 1 073 741 824 + 40 960 + 8 396 800 = 1 082 179 584 B
// Then as above, with the migration ending at 1069.658437: suspending -> 1071.658437; asleep -> 4600
// (3528.341563 s); resuming_full -> 4604; reintegration of pages 10, 50, 51 (hosted from offset
// 69.658437): 1 068 207 us -> 4605.068207. States: migrating 9 658 437 + 1 068 207 = 10 726 644.
// Energy: 6000 + 110x10.726644 + 100 + 2x3528.341563 + 320 = 14 656.613966 J.
//
// The same numbers with stop_copy_below 4 KiB and max_rounds 2: round 2's dirty set (8192 B) is above
// 4 KiB, but 2 rounds is the limit: stop-and-copy sends it.
TEST(HandDerivedFull, PrecopyTwoRoundsByThresholdOrByRoundLimit) {
  for (const auto& [below, rounds] : {std::pair{"16KiB", 30}, std::pair{"4KiB", 2}}) {
    SCOPED_TRACE(std::string(below) + " / " + std::to_string(rounds));
    TempDir dir;
    Knobs k;
    k.stop_copy_below = below;
    k.max_rounds = rounds;
    const auto s = load_hand_scenario(dir, kOneHour, kPrecopyProfile, k);
    const RunOutput out = run_strategy(s, "full");
    ASSERT_EQ(out.records.size(), 1u);
    const sim::PeriodRecord& r = out.records[0].second;
    ASSERT_TRUE(r.migration_latency.has_value());
    EXPECT_EQ(r.migration_latency->us(), 9'658'437);
    EXPECT_EQ(r.migrated.count(), 1'082'179'584u);
    EXPECT_EQ(r.dirty_pages, 3u);
    EXPECT_EQ(r.reintegrated.count(), 8'400'896u);
    EXPECT_EQ(r.window.us(), 3'605'068'207);
    EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                           .migrating = 10'726'644,
                           .suspending = 2'000'000,
                           .asleep = 3'528'341'563,
                           .resuming_full = 4'000'000});
    expect_energy(r.energy, 14'656.613966, "energy");
  }
}

// max_rounds 1 and stop_copy_below 4 KiB: round 1 is the last round whatever its dirty set:
// stop-and-copy sends its 10 pages + metadata, as in PrecopyOneRoundThenStopAndCopy (9 658 372 us,
// 1 082 171 392 B).
TEST(HandDerivedFull, PrecopyRoundLimitOfOne) {
  TempDir dir;
  Knobs k;
  k.stop_copy_below = "4KiB";
  k.max_rounds = 1;
  const auto s = load_hand_scenario(dir, kOneHour, kPrecopyProfile, k);
  const RunOutput out = run_strategy(s, "full");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  ASSERT_TRUE(r.migration_latency.has_value());
  EXPECT_EQ(r.migration_latency->us(), 9'658'372);
  EXPECT_EQ(r.migrated.count(), 1'082'171'392u);
}

// The user back mid-round-1: period [1000, 1061.5). The migration began at 1060, setup until 1061,
// round 1 has sent 0.5 s x 1e9 / 8 = 62 500 000 B. outcome aborted, r = 0, window = L = 61.5 s.
//   States: idle 60 s, migrating 1.5 s. E = 6000 + 110 x 1.5 = 6165 J; baseline 100 x 61.5 = 6150 J.
TEST(HandDerivedFull, UserReturnsMidPrecopy) {
  TempDir dir;
  const auto s = load_hand_scenario(dir, "desktop,start,end\nd0,1000,1061.5\n", kPrecopyProfile);
  const RunOutput out = run_strategy(s, "full");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(sim::name_of(r.outcome), "aborted");
  EXPECT_EQ(r.window.us(), 61'500'000);
  EXPECT_FALSE(r.return_latency.has_value());
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000, .migrating = 1'500'000});
  EXPECT_EQ(r.migrated.count(), 62'500'000u);
  EXPECT_EQ(r.reintegrated.count(), 0u);
  EXPECT_EQ(r.dirty_pages, 0u);
  expect_energy(r.energy, 6'165.0, "energy");
  expect_energy(r.baseline, 6'150.0, "baseline");
  EXPECT_EQ(r.server_energy.joules(), 0.0);
}

// The user back during stop-and-copy: it began at offset 69.589935 (after round 1); the user is back
// 15 625 us into it, at offset 69.60556 (absolute 1069.60556). Sent: 1 GiB + 0.015625 s x 1e9 / 8
// = 1 073 741 824 + 1 953 125 = 1 075 694 949 B. Migrating 9.60556 s: E = 6000 + 110 x 9.60556
// = 7056.6116 J.
TEST(HandDerivedFull, UserReturnsDuringStopAndCopy) {
  TempDir dir;
  const auto s = load_hand_scenario(dir, "desktop,start,end\nd0,1000,1069.60556\n", kPrecopyProfile);
  const RunOutput out = run_strategy(s, "full");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(sim::name_of(r.outcome), "aborted");
  EXPECT_EQ(r.migrated.count(), 1'075'694'949u);
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000, .migrating = 9'605'560});
  expect_energy(r.energy, 7'056.6116, "energy");
}

// Two desktops migrating at once hold 2 GiB on the server.
TEST(HandDerivedFull, TwoDesktopsShareTheServer) {
  TempDir dir;
  const auto s = load_hand_scenario(dir, "desktop,start,end\nd0,1000,4600\nd1,1000,4600\n", kPrecopyProfile);
  const RunOutput out = run_strategy(s, "full");
  ASSERT_EQ(out.records.size(), 2u);
  for (const auto& [desktop, r] : out.records) expect_energy(r.energy, 14'656.614206, desktop.c_str());
  EXPECT_EQ(out.result.server_peak.count(), 2u * 1'073'741'824u);
}

// The user back during the setup (period [1000, 1060.5)): nothing sent yet.
TEST(HandDerivedFull, UserReturnsDuringSetupSendsNothing) {
  TempDir dir;
  const auto s = load_hand_scenario(dir, "desktop,start,end\nd0,1000,1060.5\n", kPrecopyProfile);
  const RunOutput out = run_strategy(s, "full");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(sim::name_of(r.outcome), "aborted");
  EXPECT_EQ(r.migrated.count(), 0u);
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000, .migrating = 500'000});
}

}  // namespace
}  // namespace jettison::testing::model
