// common/config/desktop_sleep_costs: policy::SleepCosts derived from a desktop's figures, the one
// definition the simulator's partial strategy and the emulator's sleep controller both call.
#include "common/config/desktop_sleep_costs.hpp"

#include <gtest/gtest.h>

#include "common/config/desktop_loader.hpp"
#include "sim/run/strategy_run.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace jettison::config {
namespace {

TEST(DesktopSleepCosts, DefaultDesktopWithSelectiveResume) {
  const ScenarioFigures& f = default_scenario_figures();
  const policy::SleepCosts c = sleep_costs(f.desktop, policy::ResumeKind::kSelective, f.server_path.value());
  EXPECT_EQ(c.serving, Power::watts(60));                       // serving
  EXPECT_EQ(c.asleep, Power::watts(1.2));                       // asleep
  EXPECT_EQ(c.suspending, Power::watts(90));                    // suspending
  EXPECT_EQ(c.resuming, Power::watts(60));                      // resuming_selective
  EXPECT_EQ(c.resuming_full, Power::watts(100));                // resuming_full
  EXPECT_EQ(c.suspend, Duration::millis(3090));                 // suspend
  EXPECT_EQ(c.wake, Duration::millis(710));                     // wake_on_lan 10 ms + resume_selective 700 ms
  EXPECT_EQ(c.full_resume_from_sleep, Duration::millis(2270));  // resume_full
  EXPECT_EQ(c.full_resume_from_awake, Duration::millis(1570));  // 2270 - 700
  // Round trip on the star path (2 x (0.2 + 0.05) ms = 500 us) + 4096 B at 1 Gbps (32.768 us,
  // to the nearest us: 33 us) = 533 us.
  EXPECT_EQ(c.service, Duration::micros(533));
}

TEST(DesktopSleepCosts, FullResumeServesFromTheIdleState) {
  const ScenarioFigures& f = default_scenario_figures();
  const policy::SleepCosts c = sleep_costs(f.desktop, policy::ResumeKind::kFull, f.server_path.value());
  EXPECT_EQ(c.serving, Power::watts(102.1));  // idle: the whole desktop is up
  EXPECT_EQ(c.resuming, Power::watts(100));   // resuming_full
  EXPECT_EQ(c.wake, Duration::millis(2280));  // 10 ms + 2270 ms
  EXPECT_EQ(c.full_resume_from_awake, Duration{});
}

TEST(DesktopSleepCosts, TheSimulatorDerivesTheSameCosts) {
  const sim::Scenario s = sim::load_scenario(kDefaultScenario);
  for (std::uint32_t i = 0; i < 3; ++i) {
    const auto& route = s.network.graph->route(i, 0, sim::net::Direction::kToServer);
    const policy::SleepCosts a = sim::sleep_costs(s, s.desktops[i], route);
    const policy::SleepCosts b =
        sleep_costs(sim::figures_of(s, s.desktops[i]), s.resume_pages, {route.latency, route.bottleneck});
    EXPECT_EQ(a.serving, b.serving);
    EXPECT_EQ(a.wake, b.wake);
    EXPECT_EQ(a.service, b.service);
    EXPECT_EQ(a.service, Duration::micros(533));
  }
}

}  // namespace
}  // namespace jettison::config
