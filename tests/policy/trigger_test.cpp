// Migration triggers: `idle-time` always migrates; `predicted` weighs the median rest of the
// desktop's past periods that lasted longer than the current idleness against pays_after().
#include <gtest/gtest.h>

#include "policy/migration_triggers.hpp"
#include "policy/predicted_trigger.hpp"

namespace jettison::policy {
namespace {

Duration min(std::int64_t m) { return Duration::seconds(60 * m); }

// overhead 6000 J at a saving of 100 W pays after 60 s.
TriggerCosts costs() { return {Energy::joules(6000), Power::watts(100)}; }

TEST(TriggerCosts, PaysAfterIsOverheadOverSaving) {
  EXPECT_EQ(costs().pays_after(), Duration::seconds(60));
  EXPECT_EQ((TriggerCosts{Energy::joules(1), Power::watts(0)}).pays_after(), Duration::max());
  EXPECT_EQ((TriggerCosts{Energy::joules(0), Power::watts(5)}).pays_after(), Duration{});
}

TEST(IdleTimeTrigger, AlwaysMigrates) {
  auto t = migration_triggers().find("idle-time")->make(TriggerParams{}, costs());
  EXPECT_EQ(t->decide(min(5)), TriggerAction::kMigrate);
  t->on_period_end(min(6));
  EXPECT_EQ(t->decide(min(5)), TriggerAction::kMigrate);
}

// A caller may hold no object for an inert trigger and migrate (the simulator does): only
// `idle-time` is inert.
TEST(TriggerRegistry, OnlyIdleTimeIsInert) {
  for (const auto& e : migration_triggers().entries()) EXPECT_EQ(e.inert, e.name == "idle-time") << e.name;
}

TEST(PredictedTrigger, MigratesUntilItHasEnoughSamples) {
  TriggerParams p;
  p.min_samples = 3;
  p.otherwise = TriggerAction::kStayOn;
  PredictedTrigger t(p, costs());
  t.on_period_end(min(5));  // short periods: nothing to gain
  t.on_period_end(min(5));
  EXPECT_EQ(t.decide(min(5)), TriggerAction::kMigrate);  // 2 < 3 samples
  t.on_period_end(min(5));
  // 3 samples, none longer than 5 min: no evidence the period goes on.
  EXPECT_EQ(t.decide(min(5)), TriggerAction::kStayOn);
}

TEST(PredictedTrigger, MedianRestAgainstPaysAfter) {
  TriggerParams p;
  p.min_samples = 1;
  p.otherwise = TriggerAction::kSleepOnly;
  PredictedTrigger t(p, costs());
  // Past periods: 5.5, 5.5, 5.5, 30, 60 min. Having been idle 5 min, all lasted longer: rests are
  // 0.5, 0.5, 0.5, 25, 55 min; the (lower) median is 0.5 min = 30 s < 60 s: sleep only.
  for (std::int64_t s : {330, 330, 330, 1800, 3600}) t.on_period_end(Duration::seconds(s));
  ASSERT_TRUE(t.predict_rest(min(5)).has_value());
  EXPECT_EQ(*t.predict_rest(min(5)), Duration::seconds(30));
  EXPECT_EQ(t.decide(min(5)), TriggerAction::kSleepOnly);
  // Two more long periods: rests 0.5, 0.5, 0.5, 25, 55, 55, 55 min; median 25 min >= 60 s: migrate.
  t.on_period_end(min(60));
  t.on_period_end(min(60));
  EXPECT_EQ(*t.predict_rest(min(5)), min(25));
  EXPECT_EQ(t.decide(min(5)), TriggerAction::kMigrate);
}

TEST(PredictedTrigger, RemembersOnlyTheLastPeriods) {
  TriggerParams p;
  p.min_samples = 1;
  p.history = 2;
  PredictedTrigger t(p, costs());
  t.on_period_end(min(600));
  t.on_period_end(min(1));
  t.on_period_end(min(2));  // the 600-min period is forgotten
  EXPECT_FALSE(t.predict_rest(min(5)).has_value());
  EXPECT_EQ(t.decide(min(5)), p.otherwise);
}

}  // namespace
}  // namespace jettison::policy

namespace jettison::policy {
namespace {

TEST(PredictedTrigger, ConfidencePicksTheQuantileOfTheRest) {
  TriggerParams p;
  p.min_samples = 1;
  p.confidence = 0.8;  // the rest must pay in 80% of similar periods: the 20% quantile of the rest
  PredictedTrigger t(p, TriggerCosts{Energy::joules(6000), Power::watts(100)});  // pays after 60 s
  // Rests after 1 min of idleness: 0.5, 2, 3, 4, 5 min. Nearest rank of q = 0.2 over 5: rank 1 -> 0.5 min.
  for (std::int64_t s : {90, 180, 240, 300, 360}) t.on_period_end(Duration::seconds(s));
  EXPECT_EQ(*t.predict_rest(Duration::seconds(60)), Duration::seconds(30));
  EXPECT_EQ(t.decide(Duration::seconds(60)), p.otherwise);
  // With confidence 0.6: q = 0.4, rank ceil(2) = 2 -> 2 min >= 60 s: migrate.
  p.confidence = 0.6;
  PredictedTrigger u(p, TriggerCosts{Energy::joules(6000), Power::watts(100)});
  for (std::int64_t s : {90, 180, 240, 300, 360}) u.on_period_end(Duration::seconds(s));
  EXPECT_EQ(*u.predict_rest(Duration::seconds(60)), Duration::seconds(120));
  EXPECT_EQ(u.decide(Duration::seconds(60)), TriggerAction::kMigrate);
}

}  // namespace
}  // namespace jettison::policy
