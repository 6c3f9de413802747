// The `predicted` migration trigger in the simulator (sim/MODEL.md "Policies"), hand-derived.
// Scenario (model_support.hpp): powers idle 100 W, active 120 W, migrating 110 W, suspending 50 W,
// asleep 2 W, resuming_full 80 W; suspend 2 s, resume_full 4 s; link 1 Gbps, latency 1 ms;
// A = 60 s; vm_memory 1 GiB; metadata 8 MiB; partial setup 3 s; full setup 1 s; reintegration_setup
// 1 s. An empty page profile: nothing is fetched or written.
//
// pays_after = overhead / saving, with (MODEL.md)
//   overhead = (migrating - asleep) x (migration + reintegration estimate)
//            + (suspending - asleep) x suspend + (resuming_full - asleep) x resume_full
//   saving   = idle - asleep = 98 W
//   reintegration estimate = 1 s + 1 ms + transfer(8 MiB) = 1 s + 1 ms + 67 109 us = 1.068109 s
//   suspend and resume terms: 48 x 2 + 78 x 4 = 96 + 312 = 408 J
// partial: migration estimate = 3 s + 1 ms + 67 109 us = 3.068109 s
//   overhead = 108 x (3.068109 + 1.068109) + 408 = 108 x 4.136218 + 408 = 854.711544 J
//   pays_after = 854.711544 / 98 = 8.7215463 s -> 8 721 546 us
// full: migration estimate = 1 s + 1 ms + transfer(1 GiB) = 1 s + 1 ms + 8 589 935 us = 9.590935 s
//   overhead = 108 x (9.590935 + 1.068109) + 408 = 108 x 10.659044 + 408 = 1 559.176752 J
//   pays_after = 1 559.176752 / 98 = 15.9099668 s -> 15 909 967 us
//
// One desktop, ten periods starting 1000 s apart, lengths L (rest r = L - 60 when L > 60):
//   70 (r 10), 30 (no decision: L <= A), 65 (r 5), 65, 300 (r 240), 300, 300, 72 (r 12), 72, 72.
// Trigger: history 3 (the last three lengths), min_samples 2. At each period with L > A it decides
// from the lengths remembered then; the prediction is the lower median of their rests (L > 60 only):
//   P0: nothing remembered (< 2 samples)              -> migrate (both)
//   P1: L = 30 <= A: no decision                      -> stayed-on (both)
//   P2: {70, 30}: rests {10}              median 10   -> partial yes (10 >= 8.72), full no (< 15.91)
//   P3: {70, 30, 65}: rests {10, 5}       median 5    -> both no
//   P4: {30, 65, 65}: rests {5, 5}        median 5    -> both no   (70 forgotten: history 3)
//   P5: {65, 65, 300}: rests {5, 5, 240}  median 5    -> both no
//   P6: {65, 300, 300}: {5, 240, 240}     median 240  -> both yes
//   P7: {300, 300, 300}: {240, 240, 240}  median 240  -> both yes
//   P8: {300, 300, 72}: {240, 240, 12}    median 240  -> both yes
//   P9: {300, 72, 72}: {240, 12, 12}      median 12   -> partial yes, full no
// (`confidence`, default 0.5, picks the (1 - confidence) quantile, lower nearest rank: 0.5 is the
// lower median above; a case with 0.34 is below.)
// Full's migration of an empty profile takes 1 s + 8 589 935 + 67 109 (metadata) + 1 000 (latency)
// = 9 658 044 us: it ends at offset 69.658044, before the user's return at 70 (P0) and 72 (P7, P8).
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "sim/strategy/strategy.hpp"
#include "tests/sim/policy/policy_support.hpp"

namespace jettison::testing::policy_sim {
namespace {

using model::expect_energy;
using model::run_strategy;
using sim::PowerState;

constexpr std::int64_t kLengths[] = {70, 30, 65, 65, 300, 300, 300, 72, 72, 72};

std::string idle_csv() {
  std::string csv = "desktop,start,end\n";
  for (std::size_t i = 0; i < std::size(kLengths); ++i) {
    const std::int64_t start = 1000 + 1000 * static_cast<std::int64_t>(i);
    csv += "d0," + std::to_string(start) + "," + std::to_string(start + kLengths[i]) + "\n";
  }
  return csv;
}

std::string trigger_lines(const std::string& otherwise, const std::string& confidence = "") {
  std::string line = "  trigger: {rule: predicted, otherwise: " + otherwise + ", history: 3, min_samples: 2";
  if (!confidence.empty()) line += ", confidence: " + confidence;
  return line + "}\n";
}

constexpr const char* kEmptyProfile = "time,page,op\n";

TEST(PredictedTriggerInSim, PaysAfterFromThePowersAndTimes) {
  TempDir dir;
  const auto s = load_policy_scenario(dir, idle_csv(), kEmptyProfile, trigger_lines("sleep-only"));
  const sim::DesktopSpec& d = s.desktops.at(0);
  const auto partial = sim::strategies().find("partial")->make();
  const auto full = sim::strategies().find("full")->make();
  const sim::net::Route& path = s.network.graph->route(0, 0, sim::net::Direction::kToServer);
  EXPECT_EQ(partial->migration_estimate(s, d, path).us(), 3'068'109);
  EXPECT_EQ(full->migration_estimate(s, d, path).us(), 9'590'935);
  const policy::TriggerCosts pc = sim::trigger_costs(s, d, path, partial->migration_estimate(s, d, path));
  const policy::TriggerCosts fc = sim::trigger_costs(s, d, path, full->migration_estimate(s, d, path));
  EXPECT_NEAR(pc.overhead.joules(), 854.711544, 1e-6);
  EXPECT_NEAR(fc.overhead.joules(), 1'559.176752, 1e-6);
  EXPECT_NEAR(pc.saving.watts(), 98.0, 1e-12);
  EXPECT_EQ(pc.pays_after().us(), 8'721'546);
  EXPECT_EQ(fc.pays_after().us(), 15'909'967);
}

struct Case {
  const char* strategy;
  const char* otherwise;
  std::vector<std::string> outcomes;
  const char* confidence = "";  // policy.trigger.confidence; empty: the default 0.5 (the lower median)
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.strategy << ", otherwise " << c.otherwise << (*c.confidence ? ", confidence " : "")
      << c.confidence;
}

class PredictedTriggerOutcomes : public ::testing::TestWithParam<Case> {};

TEST_P(PredictedTriggerOutcomes, FlipWithTheRememberedPeriods) {
  const Case& c = GetParam();
  TempDir dir;
  const auto s =
      load_policy_scenario(dir, idle_csv(), kEmptyProfile, trigger_lines(c.otherwise, c.confidence));
  const RunOutput out = run_strategy(s, c.strategy);
  ASSERT_EQ(out.records.size(), std::size(kLengths));
  EXPECT_EQ(out.result.totals.skipped_periods, 0u);
  for (std::size_t i = 0; i < out.records.size(); ++i) {
    SCOPED_TRACE("period " + std::to_string(i));
    const sim::PeriodRecord& r = out.records[i].second;
    EXPECT_EQ(r.period, i);
    EXPECT_EQ(r.idle.us(), kLengths[i] * 1'000'000);
    EXPECT_EQ(sim::name_of(r.outcome), c.outcomes[i]);
    EXPECT_EQ(r.migration_latency.has_value(), c.outcomes[i] == "migrated");
  }
}

// With confidence 0.34 the prediction is the (1 - 0.34) quantile, lower nearest rank:
// rank = ceil(0.66 n) - 1 of the sorted rests: n = 1 -> 0, n = 2 -> 1 (the larger), n = 3 -> 1.
// Only P3 changes: rests {10, 5} -> 10: partial yes (10 >= 8.72), full still no (10 < 15.91).
const std::string M = "migrated", S = "stayed-on", Z = "slept";
INSTANTIATE_TEST_SUITE_P(
    Cases, PredictedTriggerOutcomes,
    ::testing::Values(Case{"partial", "sleep-only", {M, S, M, Z, Z, Z, M, M, M, M}},
                      Case{"partial", "stay-on", {M, S, M, S, S, S, M, M, M, M}},
                      Case{"full", "sleep-only", {M, S, Z, Z, Z, Z, M, M, M, Z}},
                      Case{"full", "stay-on", {M, S, S, S, S, S, M, M, M, S}},
                      Case{"partial", "sleep-only", {M, S, M, M, Z, Z, M, M, M, M}, "0.34"},
                      Case{"full", "sleep-only", {M, S, Z, Z, Z, Z, M, M, M, Z}, "0.34"}),
    [](const ::testing::TestParamInfo<Case>& param_info) {
      std::string name = std::string(param_info.param.strategy) + "_" + param_info.param.otherwise;
      if (*param_info.param.confidence) name += std::string("_confidence_") + param_info.param.confidence;
      for (char& ch : name)
        if (ch == '-' || ch == '.') ch = '_';
      return name;
    });

// The fallback's timeline, P3 (L = 65 s, the trigger says no):
//   sleep-only: idle 60 s, suspending 2 s, asleep 3 s, resuming_full 4 s: window 69 s, r = 4 s;
//     E = 6000 + 100 + 6 + 320 = 6426 J; baseline 6500 + 120 x 4 = 6980 J.
//   stay-on: idle for the whole 65 s, r = 0: E = baseline = 6500 J.
// P4 (L = 300 s, no): sleep-only: idle 60, suspending 2, asleep 238, resuming_full 4:
//   E = 6000 + 100 + 476 + 320 = 6896 J; stay-on: 30 000 J.
TEST(PredictedTriggerInSim, FallbackTimelines) {
  for (const char* strategy : {"partial", "full"}) {
    SCOPED_TRACE(strategy);
    {
      TempDir dir;
      const auto s = load_policy_scenario(dir, idle_csv(), kEmptyProfile, trigger_lines("sleep-only"));
      const RunOutput out = run_strategy(s, strategy);
      ASSERT_EQ(out.records.size(), std::size(kLengths));
      const sim::PeriodRecord& p3 = out.records[3].second;
      EXPECT_EQ(p3.window.us(), 69'000'000);
      EXPECT_STATE_TIMES(
          p3, {.idle = 60'000'000, .suspending = 2'000'000, .asleep = 3'000'000, .resuming_full = 4'000'000});
      expect_energy(p3.energy, 6'426.0, "P3 slept");
      expect_energy(p3.baseline, 6'980.0, "P3 baseline");
      EXPECT_EQ(p3.network().count(), 0u);
      const sim::PeriodRecord& p4 = out.records[4].second;
      EXPECT_STATE_TIMES(
          p4,
          {.idle = 60'000'000, .suspending = 2'000'000, .asleep = 238'000'000, .resuming_full = 4'000'000});
      expect_energy(p4.energy, 6'896.0, "P4 slept");
    }
    {
      TempDir dir;
      const auto s = load_policy_scenario(dir, idle_csv(), kEmptyProfile, trigger_lines("stay-on"));
      const RunOutput out = run_strategy(s, strategy);
      ASSERT_EQ(out.records.size(), std::size(kLengths));
      const sim::PeriodRecord& p3 = out.records[3].second;
      EXPECT_EQ(p3.window.us(), 65'000'000);
      EXPECT_STATE_TIMES(p3, {.idle = 65'000'000});
      EXPECT_FALSE(p3.return_latency.has_value());
      expect_energy(p3.energy, 6'500.0, "P3 stayed on");
      const sim::PeriodRecord& p4 = out.records[4].second;
      EXPECT_STATE_TIMES(p4, {.idle = 300'000'000});
      expect_energy(p4.energy, 30'000.0, "P4 stayed on");
    }
  }
}

// A migrated period of each, P0 (L = 70 s, empty profile, no dirty pages: reintegration 1 s + 1 ms
// + 67 109 us = 1 068 109 us):
//   partial: migrating 60 -> 63.068109; serving -> 70 (the 20 s timer has not fired); user back
//     while serving: resuming_full 3 s (4 - 1) -> 73; reintegration -> 74.068109.
//     States (us): idle 60 000 000; migrating 3 068 109 + 1 068 109 = 4 136 218; serving 6 931 891;
//     resuming_full 3 000 000. Window 74 068 109.
//   full: migrating 60 -> 69.658044; suspending -> 71.658044 (user back at 70 meanwhile); then
//     resuming_full 4 s -> 75.658044; reintegration -> 76.726153.
//     States (us): idle 60 000 000; migrating 9 658 044 + 1 068 109 = 10 726 153; suspending
//     2 000 000; resuming_full 4 000 000. Window 76 726 153.
TEST(PredictedTriggerInSim, FirstPeriodMigratesBeforeMinSamples) {
  TempDir dir;
  const auto s = load_policy_scenario(dir, idle_csv(), kEmptyProfile, trigger_lines("sleep-only"));
  {
    const RunOutput out = run_strategy(s, "partial");
    const sim::PeriodRecord& r = out.records.at(0).second;
    EXPECT_EQ(r.window.us(), 74'068'109);
    EXPECT_STATE_TIMES(
        r, {.idle = 60'000'000, .migrating = 4'136'218, .resuming_full = 3'000'000, .serving = 6'931'891});
  }
  {
    const RunOutput out = run_strategy(s, "full");
    const sim::PeriodRecord& r = out.records.at(0).second;
    EXPECT_EQ(r.window.us(), 76'726'153);
    ASSERT_TRUE(r.migration_latency.has_value());
    EXPECT_EQ(r.migration_latency->us(), 9'658'044);
    EXPECT_STATE_TIMES(
        r,
        {.idle = 60'000'000, .migrating = 10'726'153, .suspending = 2'000'000, .resuming_full = 4'000'000});
  }
}

}  // namespace
}  // namespace jettison::testing::policy_sim
