// Hand-derived cases of a page profile's `anchor` (sim/MODEL.md, "Page replay"): the same 3-access
// profile replayed from the idle period's start (`idle-start`, the default) and from the VM's resume
// on the server (`migration-end`). Scenario as in hand_derived_partial_test.cpp / _full_test.cpp
// (model_support.hpp): A = 60 s, link 1 Gbps, latency 1 ms, timeout 20 s, suspend 2 s, resume_full
// 4 s, resume_selective 1 s, wake_on_lan 10 ms, metadata 8 MiB, partial setup 3 s, full setup 1 s.
//
// One period [1000 s, 1600 s) (L = 600 s). The profile:
//   offset   0  page 1 w
//   offset   5  page 2 r   (partial) / w (full)
//   offset 200  page 3 w
// Transfers at 1 Gbps (to the nearest us): metadata 8 388 608 B -> 67 109 us; + 1 page -> 67 142 us;
// + 2 pages -> 67 174 us (67 174.4); 1 GiB -> 8 589 935 us. A page served while serving: request at t, done
// at t + 2 ms + 33 us.
#include <gtest/gtest.h>

#include "tests/sim/model/model_support.hpp"

namespace jettison::testing::model {
namespace {

constexpr const char* kTenMinutes = "desktop,start,end\nd0,1000,1600\n";
constexpr const char* kPartialProfile = "time,page,op\n0,1,w\n5,2,r\n200,3,w\n";
constexpr const char* kFullProfile = "time,page,op\n0,1,w\n5,2,w\n200,3,w\n";

// idle-start: the migration ends at offset 63.068109 (60 s + 3 s + 1 ms + 67 109 us); offsets 0 and 5
// fall before it and are dropped; page 3 at 1200 finds the desktop asleep.
//   serving     1063.068109 -> 1083.068109  20 s (no request: timeout from the migration's end)
//   suspending  -> 1085.068109;  asleep -> 1200 (114.931891 s)
//   wake-up 1 at 1200: resuming_selective -> 1201.01; page served at 1201.012033; serving 20.002033 s
//   suspending -> 1223.012033;  asleep -> 1600 (376.987967 s);  resuming_full -> 1604
//   reintegration of page 3 + metadata: 1 s + 1 ms + 67 142 us = 1 068 142 us -> 1605.068142
// States (us): idle 60 000 000; migrating 3 068 109 + 1 068 142 = 4 136 251; serving 40 002 033;
//   suspending 4 000 000; asleep 491 919 858; resuming_selective 1 010 000; resuming_full 4 000 000.
// Energy: 6000 + 110x4.136251 + 30x40.002033 + 50x4 + 2x491.919858 + 40x1.01 + 80x4 = 9199.288316 J.
TEST(HandDerivedAnchor, PartialIdleStartDropsTheAccessesBeforeTheMigrationsEnd) {
  for (const std::string anchor : {"", "idle-start"}) {
    SCOPED_TRACE("anchor '" + anchor + "'");
    TempDir dir;
    Knobs k;
    k.anchor = anchor;
    const auto s = load_hand_scenario(dir, kTenMinutes, kPartialProfile, k);
    const RunOutput out = run_strategy(s, "partial");
    ASSERT_EQ(out.records.size(), 1u);
    const sim::PeriodRecord& r = out.records[0].second;
    EXPECT_EQ(r.fetched_pages, 1u);
    EXPECT_EQ(r.wakeups, 1u);
    EXPECT_EQ(r.dirty_pages, 1u);
    EXPECT_EQ(r.window.us(), 605'068'142);
    EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                           .migrating = 4'136'251,
                           .suspending = 4'000'000,
                           .asleep = 491'919'858,
                           .resuming_full = 4'000'000,
                           .resuming_selective = 1'010'000,
                           .serving = 40'002'033});
    expect_energy(r.energy, 9'199.288316, "energy");
  }
}

// migration-end: offset 0 is the migration's end, 1063.068109; nothing is dropped.
//   page 1 at 1063.068109 and page 2 at 1068.068109 find the desktop serving: page 2 is served at
//     1068.070142 and the timeout restarts there: serving 1063.068109 -> 1088.070142 (25.002033 s);
//     suspending -> 1090.070142; asleep -> 1263.068109 (172.997967 s)
//   page 3 at 1263.068109 wakes it (the only wake-up): resuming_selective -> 1264.078109; served at
//     1264.080142; serving 20.002033 s -> 1284.080142; suspending -> 1286.080142; asleep -> 1600
//     (313.919858 s); resuming_full -> 1604
//   reintegration of pages 1 and 3 + metadata: 1 s + 1 ms + 67 174 us = 1 068 174 us -> 1605.068174
// States (us): idle 60 000 000; migrating 3 068 109 + 1 068 174 = 4 136 283; serving 45 004 066;
//   suspending 4 000 000; asleep 172 997 967 + 313 919 858 = 486 917 825; resuming_selective
//   1 010 000; resuming_full 4 000 000. Sum 605 068 174 = the window.
// Energy: 6000 + 110x4.136283 + 30x45.004066 + 50x4 + 2x486.917825 + 40x1.01 + 80x4 = 9339.34876 J.
// (The same figures as idle-start with every offset shifted by 63.068109 s: jettison-sim at f4d7071,
// before anchors existed, gives them for that shifted profile.)
TEST(HandDerivedAnchor, PartialMigrationEndReplaysFromTheResume) {
  TempDir dir;
  Knobs k;
  k.anchor = "migration-end";
  const auto s = load_hand_scenario(dir, kTenMinutes, kPartialProfile, k);
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 1u);
  const sim::PeriodRecord& r = out.records[0].second;
  EXPECT_EQ(r.fetched_pages, 3u);
  EXPECT_EQ(r.wakeups, 1u);
  EXPECT_EQ(r.dirty_pages, 2u);
  EXPECT_EQ(r.reintegrated.count(), 2u * 4096u + 8'388'608u);
  EXPECT_EQ(r.window.us(), 605'068'174);
  EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                         .migrating = 4'136'283,
                         .suspending = 4'000'000,
                         .asleep = 486'917'825,
                         .resuming_full = 4'000'000,
                         .resuming_selective = 1'010'000,
                         .serving = 45'004'066});
  expect_energy(r.energy, 9'339.34876, "energy");
}

// The oracle's foresight maps offsets through the same origin: with migration-end it sees 3 requests
// (idle-start: 1) and sleeps between all of them: 2 wake-ups, 8269.449 J, the figures jettison-sim at
// f4d7071 gives for idle-start with the offsets shifted by 63.068109 s (not derived by hand).
TEST(HandDerivedAnchor, PartialMigrationEndIsWhatTheOracleForesees) {
  TempDir dir;
  Knobs k;
  k.anchor = "migration-end";
  std::string yaml = hand_scenario_yaml(k);
  const std::string from = "sleep: {rule: timeout, timeout: 20s}";
  yaml.replace(yaml.find(from), from.size(), "sleep: {rule: oracle}");
  dir.write("idle.csv", kTenMinutes);
  dir.write("pages.csv", kPartialProfile);
  const auto s = sim::load_scenario(dir.write("scenario.yaml", yaml));
  const RunOutput out = run_strategy(s, "partial");
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(out.records[0].second.fetched_pages, 3u);
  EXPECT_EQ(out.records[0].second.wakeups, 2u);
  expect_energy(out.records[0].second.energy, 8'269.449, "energy");
}

// full, idle-start: the migration starts at offset 60; round 1 runs over offsets [61, 69.589935): no
// writes, so stop-and-copy sends the metadata alone: 1 s + 8 589 935 + 67 109 + 1 000 = 9 658 044 us,
// 1 073 741 824 + 8 388 608 = 1 082 130 432 B. Hosted: page 3 (offset 200): 1 dirty page.
//   migrating -> 1069.658044; suspending -> 1071.658044; asleep -> 1600 (528.341956 s);
//   resuming_full -> 1604; reintegration 1 068 142 us -> 1605.068142.
// Energy: 6000 + 110x(9.658044 + 1.068142) + 50x2 + 2x528.341956 + 80x4 = 8656.564372 J.
//
// full, migration-end: offset 0 is the pre-copy's start, 1060 (sim/MODEL.md, "full"): page 1 (offset
// 0) is written during the setup, before round 1 copies it; page 2 (offset 5) during round 1 [1, 9.589935):
// stop-and-copy sends it with the metadata: 1 s + 8 589 935 + 67 142 + 1 000 = 9 658 077 us,
// 1 073 741 824 + 8 392 704 = 1 082 134 528 B. Hosted: page 3 (offset 200, 1260): 1 dirty page.
//   asleep 1071.658077 -> 1600 (528.341923 s); window closes at 1605.068142 as above.
// Energy: 6000 + 110x(9.658077 + 1.068142) + 50x2 + 2x528.341923 + 80x4 = 8656.567936 J.
TEST(HandDerivedAnchor, FullMigrationEndCountsFromThePrecopysStart) {
  struct Case {
    const char* anchor;
    std::int64_t migration_us;
    std::uint64_t migrated;
    std::int64_t asleep_us;
    double energy;
  };
  for (const Case& c : {Case{"idle-start", 9'658'044, 1'082'130'432u, 528'341'956, 8'656.564372},
                        Case{"migration-end", 9'658'077, 1'082'134'528u, 528'341'923, 8'656.567936}}) {
    SCOPED_TRACE(c.anchor);
    TempDir dir;
    Knobs k;
    k.anchor = c.anchor;
    const auto s = load_hand_scenario(dir, kTenMinutes, kFullProfile, k);
    const RunOutput out = run_strategy(s, "full");
    ASSERT_EQ(out.records.size(), 1u);
    const sim::PeriodRecord& r = out.records[0].second;
    ASSERT_TRUE(r.migration_latency.has_value());
    EXPECT_EQ(r.migration_latency->us(), c.migration_us);
    EXPECT_EQ(r.migrated.count(), c.migrated);
    EXPECT_EQ(r.dirty_pages, 1u);
    EXPECT_EQ(r.window.us(), 605'068'142);
    EXPECT_STATE_TIMES(r, {.idle = 60'000'000,
                           .migrating = c.migration_us + 1'068'142,
                           .suspending = 2'000'000,
                           .asleep = c.asleep_us,
                           .resuming_full = 4'000'000});
    expect_energy(r.energy, c.energy, "energy");
  }
}

// sleep-only and always-on replay nothing: the anchor changes none of their figures.
TEST(HandDerivedAnchor, SleepOnlyAndAlwaysOnIgnoreIt) {
  for (const char* strategy : {"sleep-only", "always-on"}) {
    SCOPED_TRACE(strategy);
    TempDir a, b;
    Knobs k;
    k.anchor = "migration-end";
    const RunOutput idle_start = run_strategy(load_hand_scenario(a, kTenMinutes, kPartialProfile), strategy);
    const RunOutput end = run_strategy(load_hand_scenario(b, kTenMinutes, kPartialProfile, k), strategy);
    ASSERT_EQ(idle_start.records.size(), 1u);
    ASSERT_EQ(end.records.size(), 1u);
    expect_same_record(idle_start.records[0].second, end.records[0].second);
  }
}

}  // namespace
}  // namespace jettison::testing::model
