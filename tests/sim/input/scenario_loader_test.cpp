// sim/scenario/scenario_loader: a valid scenario loads into exact typed values.
#include "sim/scenario/scenario_loader.hpp"

#include <gtest/gtest.h>

#include "tests/sim/input/input_test_support.hpp"

namespace jettison::sim {
namespace {

using jettison::testing::kTinyScenario;
using jettison::testing::replaced;
using jettison::testing::TempDir;
using jettison::testing::with_list;
using jettison::testing::write_scenario;

TEST(LoadScenario, TinyScenarioHasExactValues) {
  TempDir dir;
  const std::string path = write_scenario(dir, kTinyScenario);
  const Scenario s = load_scenario(path);

  EXPECT_EQ(s.name, "tiny");
  EXPECT_EQ(s.source, path);
  EXPECT_EQ(s.seed, 7U);
  EXPECT_EQ(s.page_size.count(), 4096U);

  EXPECT_EQ(s.idle_trace.path, (dir.path() / "traces/idle.csv").string());
  EXPECT_EQ(s.idle_trace.desktops(), (std::vector<std::string>{"d00", "d01", "d02"}));
  EXPECT_EQ(s.idle_trace.periods, 5U);
  EXPECT_TRUE(s.idle_trace.sorted_by_start);

  ASSERT_EQ(s.profiles.size(), 2U);
  EXPECT_EQ(s.profiles[0].name, "windows");
  EXPECT_EQ(s.profiles[0].source, (dir.path() / "traces/windows.csv").string());
  EXPECT_TRUE(s.profiles[0].repeat);
  EXPECT_EQ(s.profiles[0].cycle.us(), 6'000'000);
  EXPECT_EQ(s.profiles[0].accesses.size(), 3U);
  EXPECT_EQ(s.profiles[1].name, "linux");
  EXPECT_FALSE(s.profiles[1].repeat);
  EXPECT_EQ(s.profiles[1].cycle.us(), 10'000'000);  // length: 10s

  ASSERT_EQ(s.desktops.size(), 2U);
  const DesktopSpec& d0 = s.desktops[0];
  EXPECT_EQ(d0.id, "d00");
  EXPECT_EQ(d0.vm_memory().count(), 1'073'741'824U);
  EXPECT_DOUBLE_EQ(d0.power()[PowerState::kActive].watts(), 110.0);
  EXPECT_DOUBLE_EQ(d0.power()[PowerState::kIdle].watts(), 102.1);
  EXPECT_DOUBLE_EQ(d0.power()[PowerState::kMigrating].watts(), 105.0);
  EXPECT_DOUBLE_EQ(d0.power()[PowerState::kSuspending].watts(), 90.0);
  EXPECT_DOUBLE_EQ(d0.power()[PowerState::kAsleep].watts(), 1.2);
  EXPECT_DOUBLE_EQ(d0.power()[PowerState::kResumingFull].watts(), 100.0);
  EXPECT_DOUBLE_EQ(d0.power()[PowerState::kResumingSelective].watts(), 60.0);
  EXPECT_DOUBLE_EQ(d0.power()[PowerState::kServing].watts(), 60.0);
  EXPECT_EQ(d0.transitions().suspend.us(), 3'090'000);
  EXPECT_EQ(d0.transitions().resume_full.us(), 2'270'000);
  EXPECT_EQ(d0.transitions().resume_selective.us(), 700'000);
  EXPECT_EQ(d0.transitions().wake_on_lan.us(), 10'000);
  EXPECT_DOUBLE_EQ(d0.link().bandwidth.bits_per_second(), 1e9);
  EXPECT_EQ(d0.link().latency.us(), 200);
  EXPECT_EQ(d0.profile, 0U);  // round-robin
  EXPECT_EQ(s.desktops[1].id, "d01");
  EXPECT_EQ(s.desktops[1].profile, 1U);

  ASSERT_EQ(s.servers.list.size(), 1U);
  EXPECT_EQ(s.servers.list[0].id, "s0");
  EXPECT_EQ(s.servers.list[0].memory.count(), 64ULL << 30);
  EXPECT_EQ(s.servers.power.model, sim::ServerPowerSpec::Model::kPerVm);
  EXPECT_DOUBLE_EQ(s.servers.power.per_vm.watts(), 5.0);
  EXPECT_FALSE(s.servers.add_to_total);
  EXPECT_EQ(s.servers.placement, sim::Placement::kFirstFit);
  EXPECT_EQ(s.network.topology, "dedicated");

  EXPECT_EQ(s.migration.migrate_after.us(), 300'000'000);
  EXPECT_EQ(s.migration.partial.metadata.count(), 40U << 20);
  EXPECT_EQ(s.migration.partial.setup.us(), 3'500'000);
  EXPECT_EQ(s.migration.full.setup.us(), 1'000'000);
  EXPECT_EQ(s.migration.full.max_rounds, 30U);
  EXPECT_EQ(s.migration.full.stop_copy_below.count(), 64U << 20);
  EXPECT_EQ(s.migration.reintegration_setup.us(), 1'000'000);

  EXPECT_EQ(s.sleep.rule, "timeout");
  EXPECT_EQ(s.sleep.params.timeout.us(), 10'000'000);
  EXPECT_EQ(s.strategies, (std::vector<std::string>{"always-on", "sleep-only", "full", "partial"}));
}

TEST(LoadScenario, WithoutCountTakesEveryDesktopOfTheTrace) {
  TempDir dir;
  const Scenario s =
      load_scenario(write_scenario(dir, replaced(kTinyScenario, "desktops:\n  count: 2\n", "")));
  ASSERT_EQ(s.desktops.size(), 3U);
  EXPECT_EQ(s.desktops[2].id, "d02");
  EXPECT_EQ(s.desktops[2].profile, 0U);  // round-robin wraps
}

TEST(LoadScenario, DesktopListOverridesDefaultsPerDesktop) {
  TempDir dir;
  const Scenario s = load_scenario(write_scenario(dir, with_list(kTinyScenario)));
  ASSERT_EQ(s.desktops.size(), 2U);
  const DesktopSpec& a = s.desktops[0];
  EXPECT_EQ(a.id, "d01");
  EXPECT_EQ(a.vm_memory().count(), 2ULL << 30);
  EXPECT_EQ(a.profile, 0U);
  EXPECT_DOUBLE_EQ(a.power()[PowerState::kIdle].watts(), 102.1);
  const DesktopSpec& b = s.desktops[1];
  EXPECT_EQ(b.id, "d00");
  EXPECT_EQ(b.vm_memory().count(), 1ULL << 30);
  EXPECT_EQ(b.profile, 1U);  // round-robin by list position
  EXPECT_DOUBLE_EQ(b.power()[PowerState::kIdle].watts(), 60.0);
  EXPECT_DOUBLE_EQ(b.power()[PowerState::kActive].watts(), 110.0);  // not overridden
  EXPECT_EQ(b.link().latency.us(), 1000);
  EXPECT_DOUBLE_EQ(b.link().bandwidth.bits_per_second(), 1e9);
}

TEST(LoadScenario, OptionalKeysTakeTheirDefaults) {
  TempDir dir;
  std::string yaml = replaced(kTinyScenario, "page_size: 4KiB\n", "");
  yaml = replaced(yaml, "  add_to_total: false\n", "");
  yaml = replaced(yaml, "    timeout: 10s\n", "");
  yaml = replaced(yaml, "  assign: round-robin\n", "");
  yaml = replaced(yaml, "      when_shorter: repeat\n", "");
  const Scenario s = load_scenario(write_scenario(dir, yaml));
  EXPECT_EQ(s.page_size.count(), 4096U);
  EXPECT_FALSE(s.servers.add_to_total);
  EXPECT_EQ(s.sleep.params.timeout.us(), 30'000'000);
  EXPECT_TRUE(s.profiles[0].repeat);
  EXPECT_EQ(s.desktops[1].profile, 1U);
}

TEST(LoadScenario, RandomAssignmentIsDeterministicPerSeed) {
  TempDir dir;
  const std::string path =
      write_scenario(dir, replaced(kTinyScenario, "assign: round-robin", "assign: random"));
  const Scenario a = load_scenario(path);
  const Scenario b = load_scenario(path);
  ASSERT_EQ(a.desktops.size(), b.desktops.size());
  for (std::size_t i = 0; i < a.desktops.size(); ++i) {
    EXPECT_EQ(a.desktops[i].profile, b.desktops[i].profile);
    EXPECT_LT(a.desktops[i].profile, 2U);
  }
}

TEST(LoadScenario, UnsortedTraceIsMarkedForBuffering) {
  TempDir dir;
  const Scenario s = load_scenario(
      write_scenario(dir, kTinyScenario, "desktop,start,end\nd01,500,600\nd00,100,200\nd00,300,400\n"));
  EXPECT_FALSE(s.idle_trace.sorted_by_start);
  EXPECT_EQ(s.desktops[0].id, "d01");
}

TEST(LoadScenario, SmallestPageSize) {
  // Page numbers count in page_size units: 1 GiB of 512 B pages holds every page of the profiles.
  TempDir dir;
  const Scenario s =
      load_scenario(write_scenario(dir, replaced(kTinyScenario, "page_size: 4KiB", "page_size: 512B")));
  EXPECT_EQ(s.page_size.count(), 512U);
}

TEST(LoadScenario, HugePagesShrinkTheRangeOfPageNumbers) {
  // 1 GiB of 2 MiB pages is 512 pages: the windows profile's page 1000 (line 2) no longer fits; the
  // first row out of range is named.
  TempDir dir;
  const std::string path = write_scenario(dir, replaced(kTinyScenario, "page_size: 4KiB", "page_size: 2MiB"));
  const auto e = jettison::testing::input_error([&] { load_scenario(path); });
  EXPECT_EQ(e.origin, (dir.path() / "traces/windows.csv").string() + ":2");
  EXPECT_TRUE(jettison::testing::Contains(e.what, "page 1000 is outside the 512 pages of desktop 'd00'"));
}

TEST(LoadScenario, ServerShareCanBeAddedToTotals) {
  TempDir dir;
  const Scenario s = load_scenario(
      write_scenario(dir, replaced(kTinyScenario, "add_to_total: false", "add_to_total: true")));
  EXPECT_TRUE(s.servers.add_to_total);
}

TEST(LoadScenario, AbsoluteTracePaths) {
  TempDir dir;
  TempDir elsewhere;
  const std::string idle = elsewhere.write("idle.csv", jettison::testing::kTinyIdle);
  const Scenario s = load_scenario(
      write_scenario(dir, replaced(kTinyScenario, "idle_trace: traces/idle.csv", "idle_trace: " + idle)));
  EXPECT_EQ(s.idle_trace.path, idle);
}

}  // namespace
}  // namespace jettison::sim
