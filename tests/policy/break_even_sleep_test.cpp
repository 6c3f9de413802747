// policy/break_even_sleep and the sleep registry: SleepCosts' break-even figures by hand, the
// `break-even` rule's sleep_at() on hand-made sequences, and the registry's entries.
#include "policy/break_even_sleep.hpp"

#include <gtest/gtest.h>

#include <string>

#include "policy/sleep_schedulers.hpp"
#include "tests/policy/sleep_model.hpp"

namespace jettison::policy {
namespace {

using testing::example_costs;
using testing::ms;
using testing::round_costs;
using testing::sec;

TEST(SleepCosts, CycleAndBreakEvenOfTheExampleDesktop) {
  // cycle = suspending x suspend + resuming x wake - asleep x (suspend + wake)
  //       = 90 x 3.09 + 60 x 0.71 - 1.2 x 3.80 = 278.1 + 42.6 - 4.56 = 316.14 J
  // T_be  = 316.14 / (60 - 1.2) = 316.14 / 58.8 = 5.3765306... s -> 5,376,531 us (rounded)
  const SleepCosts c = example_costs();
  EXPECT_NEAR(c.cycle_energy().joules(), 316.14, 1e-9);
  EXPECT_EQ(c.break_even().us(), 5'376'531);
}

TEST(SleepCosts, CycleAndBreakEvenOfRoundFigures) {
  // cycle = 20 x 2 + 10 x 1 - 0 x 3 = 50 J; T_be = 50 / (10 - 0) = 5 s.
  const SleepCosts c = round_costs();
  EXPECT_DOUBLE_EQ(c.cycle_energy().joules(), 50.0);
  EXPECT_EQ(c.break_even(), Duration::seconds(5));
}

TEST(BreakEvenSleep, WaitsTheBreakEvenTimeAfterTheLastServedRequest) {
  BreakEvenSleep s(example_costs());
  const Duration b = Duration::micros(5'376'531);
  s.on_period_start(sec(100), nullptr);
  EXPECT_EQ(s.sleep_at(), sec(100) + b);  // nothing served yet: counted from the period's start
  s.on_request(sec(103), sec(103) + Duration::micros(533));
  EXPECT_EQ(s.sleep_at(), sec(103) + Duration::micros(533) + b);
  // A request reported late whose service ended earlier does not pull the sleep forward.
  s.on_request(sec(102), sec(102) + Duration::micros(533));
  EXPECT_EQ(s.sleep_at(), sec(103) + Duration::micros(533) + b);
  s.on_sleep(sec(109));
  s.on_wake(sec(200));  // woke at 200 s: counted from the wake until the request is served
  EXPECT_EQ(s.sleep_at(), sec(200) + b);
  s.on_request(sec(200), ms(200'001));
  EXPECT_EQ(s.sleep_at(), ms(200'001) + b);
}

TEST(BreakEvenSleep, NeverSleepsWhenSleepingCannotPay) {
  SleepCosts c = round_costs();
  c.asleep = c.serving;  // no saving while asleep: break_even() = Duration::max()
  BreakEvenSleep s(c);
  s.on_period_start(sec(1), nullptr);
  EXPECT_EQ(s.sleep_at(), Time::never());
}

TEST(BreakEvenSleep, SleepsAtOnceWhenACycleCostsNothing) {
  SleepCosts c = round_costs();
  c.suspending = Power::watts(0);
  c.resuming = Power::watts(0);  // cycle = 0 J: break_even() = 0
  BreakEvenSleep s(c);
  s.on_period_start(sec(1), nullptr);
  s.on_request(sec(2), ms(2500));
  EXPECT_EQ(s.sleep_at(), ms(2500));
}

TEST(SleepRegistry, HasEveryRuleAndOnlyTheOracleIsOffline) {
  const SleepRegistry& r = sleep_schedulers();
  EXPECT_EQ(r.names(), "timeout, break-even, adaptive, learning-augmented, oracle");
  const SleepParams p;
  const SleepCosts c = round_costs();
  for (const auto& e : r.entries()) {
    SCOPED_TRACE(e.name);
    EXPECT_FALSE(e.description.empty());
    auto s = e.make(p, c);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->offline(), e.name == "oracle");
    // Every rule starts a period and answers without history (the oracle without a Future).
    s->on_period_start(sec(10), nullptr);
    EXPECT_GE(s->sleep_at(), sec(10));
  }
}

TEST(SleepRegistry, RulesWithoutHistoryBehaveAsBreakEvenOrTimeout) {
  const SleepCosts c = round_costs();  // T_be = 5 s
  SleepParams p;
  p.timeout = Duration::seconds(30);
  for (const std::string name : {"break-even", "adaptive", "learning-augmented", "oracle"}) {
    SCOPED_TRACE(name);
    auto s = sleep_schedulers().find(name)->make(p, c);
    s->on_period_start(sec(10), nullptr);
    EXPECT_EQ(s->sleep_at(), sec(15));
  }
  auto t = sleep_schedulers().find("timeout")->make(p, c);
  t->on_period_start(sec(10), nullptr);
  EXPECT_EQ(t->sleep_at(), sec(40));
}

}  // namespace
}  // namespace jettison::policy
