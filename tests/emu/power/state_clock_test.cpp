// Time per power state on an injected clock, and energy = power x time from it.
#include "emu/power/state_clock.hpp"

#include <gtest/gtest.h>

#include "emu/power/energy_report.hpp"

namespace jettison::emu {
namespace {

struct FakeClock {
  std::shared_ptr<Duration> now = std::make_shared<Duration>(Duration::seconds(100));
  std::function<Duration()> fn() {
    return [n = now] { return *n; };
  }
  void advance(Duration d) { *now += d; }
};

TEST(StateClock, AddsTimeToTheStateBeingLeft) {
  FakeClock c;
  StateClock clock(PowerState::kServing, c.fn());
  c.advance(Duration::millis(300));
  clock.enter(PowerState::kSuspending);
  c.advance(Duration::millis(1500));
  clock.enter(PowerState::kAsleep);
  c.advance(Duration::seconds(60));
  clock.enter(PowerState::kResumingSelective);
  c.advance(Duration::millis(800));
  clock.enter(PowerState::kServing);
  c.advance(Duration::millis(200));  // still serving: counted up to now by times()

  const StateTimes t = clock.times();
  EXPECT_EQ(t[index_of(PowerState::kServing)], Duration::millis(300 + 200));
  EXPECT_EQ(t[index_of(PowerState::kSuspending)], Duration::millis(1500));
  EXPECT_EQ(t[index_of(PowerState::kAsleep)], Duration::seconds(60));
  EXPECT_EQ(t[index_of(PowerState::kResumingSelective)], Duration::millis(800));
  EXPECT_EQ(clock.state(), PowerState::kServing);
  // 0.3 + 1.5 + 60 + 0.8 + 0.2 = 62.8 s since the clock started.
  EXPECT_EQ(clock.elapsed(), Duration::millis(62'800));
  EXPECT_EQ(clock.entries()[index_of(PowerState::kServing)], 2u);  // initial + after the resume
  EXPECT_EQ(clock.entries()[index_of(PowerState::kAsleep)], 1u);
}

TEST(EnergyReport, PowerTimesTimePerState) {
  StateTimes t{};
  t[index_of(PowerState::kServing)] = Duration::seconds(10);
  t[index_of(PowerState::kAsleep)] = Duration::seconds(100);
  t[index_of(PowerState::kResumingSelective)] = Duration::millis(500);
  PowerTable p;
  p[PowerState::kServing] = Power::watts(60);
  p[PowerState::kAsleep] = Power::watts(2.5);
  p[PowerState::kResumingSelective] = Power::watts(80);
  const EnergyReport r = make_energy_report(t, p);
  // 60 W x 10 s = 600 J; 2.5 W x 100 s = 250 J; 80 W x 0.5 s = 40 J; total 890 J over 110.5 s.
  EXPECT_DOUBLE_EQ(r.energy[index_of(PowerState::kServing)].joules(), 600.0);
  EXPECT_DOUBLE_EQ(r.energy[index_of(PowerState::kAsleep)].joules(), 250.0);
  EXPECT_DOUBLE_EQ(r.energy[index_of(PowerState::kResumingSelective)].joules(), 40.0);
  EXPECT_DOUBLE_EQ(r.total.joules(), 890.0);
  EXPECT_EQ(r.total_time, Duration::millis(110'500));
  EXPECT_NE(r.to_string(p).find("asleep"), std::string::npos);
  EXPECT_EQ(r.to_string(p).find("active"), std::string::npos);  // states never entered are left out
}

TEST(StateClock, BoottimeIsMonotonic) {
  const Duration a = boottime_now();
  const Duration b = boottime_now();
  EXPECT_GE(b, a);
}

}  // namespace
}  // namespace jettison::emu
