// The emulator's default sleep costs are the simulator's for the default scenario: both come from
// the embedded scenarios/default.yaml through one loader and one cost function (nothing written out
// by hand). This test links the simulator's library to compare with what its partial strategy uses.
#include <gtest/gtest.h>

#include "emu/server/sleep_controller.hpp"
#include "sim/run/strategy_run.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace jettison::emu {
namespace {

TEST(DefaultSleepCosts, EqualTheSimulatorsForTheDefaultScenario) {
  const sim::Scenario s = sim::load_scenario(sim::kDefaultScenario);
  ASSERT_FALSE(s.desktops.empty());
  // The simulator judges costs on the path to the first server on an idle network.
  const policy::SleepCosts want =
      sim::sleep_costs(s, s.desktops[0], s.network.graph->route(0, 0, sim::net::Direction::kToServer));
  const policy::SleepCosts got = default_sleep_costs();
  EXPECT_EQ(got.serving, want.serving);
  EXPECT_EQ(got.asleep, want.asleep);
  EXPECT_EQ(got.suspending, want.suspending);
  EXPECT_EQ(got.resuming, want.resuming);
  EXPECT_EQ(got.resuming_full, want.resuming_full);
  EXPECT_EQ(got.suspend, want.suspend);
  EXPECT_EQ(got.wake, want.wake);
  EXPECT_EQ(got.full_resume_from_sleep, want.full_resume_from_sleep);
  EXPECT_EQ(got.full_resume_from_awake, want.full_resume_from_awake);
  EXPECT_EQ(got.service, want.service);
  EXPECT_EQ(got.break_even(), want.break_even());
}

}  // namespace
}  // namespace jettison::emu
