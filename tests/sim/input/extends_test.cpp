// `extends:` lays a scenario over another: mappings merge key by key, anything else replaces;
// relative paths resolve from the file that wrote them; errors name the file that wrote the value.
#include <gtest/gtest.h>

#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/input/input_test_support.hpp"

namespace jettison::sim {
namespace {

using jettison::testing::Contains;
using jettison::testing::input_error;
using jettison::testing::line_of;
using jettison::testing::replaced;
using jettison::testing::TempDir;
using jettison::testing::write_scenario;

TEST(Extends, MergesMappingsAndReplacesEverythingElse) {
  TempDir dir;
  write_scenario(dir, jettison::testing::kTinyScenario);
  // The child lives in another folder: the base's trace paths must still resolve from the base.
  const std::string child = dir.write("variants/child.yaml",
                                      "extends: ../scenario.yaml\n"
                                      "name: child\n"
                                      "desktop:\n"
                                      "  power:\n"
                                      "    asleep: 3W\n"
                                      "strategies: [partial]\n"
                                      "policy:\n"
                                      "  prefetch:\n"
                                      "    rule: spatial\n"
                                      "    radius: 2\n");
  const Scenario s = load_scenario(child);
  EXPECT_EQ(s.name, "child");
  EXPECT_EQ(s.seed, 7U);  // from the base
  ASSERT_EQ(s.desktops.size(), 2U);
  EXPECT_DOUBLE_EQ(s.desktops[0].power()[PowerState::kAsleep].watts(), 3.0);  // overridden
  EXPECT_DOUBLE_EQ(s.desktops[0].power()[PowerState::kIdle].watts(), 102.1);  // merged from the base
  EXPECT_EQ(s.strategies, std::vector<std::string>{"partial"});               // a list replaces
  EXPECT_EQ(s.sleep.rule, "timeout");                                         // policy.sleep kept
  EXPECT_EQ(s.prefetch.rule, "spatial");
  EXPECT_EQ(s.prefetch.params.radius, 2U);
  EXPECT_EQ(s.idle_trace.path, (dir.path() / "traces/idle.csv").string());
}

TEST(Extends, ErrorsNameTheFileThatWroteTheValue) {
  TempDir dir;
  const std::string base_yaml =
      replaced(jettison::testing::kTinyScenario, "    serving: 60W\n", "    serving: 60\n");
  const std::string base = write_scenario(dir, base_yaml);
  const std::string child = dir.write("child.yaml", "extends: scenario.yaml\nname: child\n");
  auto e = input_error([&] { load_scenario(child); });
  EXPECT_EQ(e.origin,
            base + ":" + std::to_string(line_of(base_yaml, "serving: 60")) + ": desktop.power.serving");

  const std::string child2 = dir.write("child2.yaml", "extends: scenario.yaml\nseed: -4\n");
  e = input_error([&] { load_scenario(child2); });
  EXPECT_EQ(e.origin, child2 + ":2: seed");
}

TEST(Extends, RejectsAMissingBaseAndCycles) {
  TempDir dir;
  const std::string missing = dir.write("a.yaml", "name: a\nextends: nowhere.yaml\n");
  auto e = input_error([&] { load_scenario(missing); });
  EXPECT_EQ(e.origin, missing + ":2: extends");
  EXPECT_TRUE(Contains(e.what, "nowhere.yaml"));

  const std::string x = dir.write("x.yaml", "extends: y.yaml\n");
  dir.write("y.yaml", "extends: x.yaml\n");
  e = input_error([&] { load_scenario(x); });
  EXPECT_TRUE(Contains(e.what, "levels of extends"));
}

TEST(Extends, EveryBundledScenarioLoads) {
  // Every scenario under scenarios/ (the policy families, the paper's experiments) is checked here.
  std::size_t checked = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::string(JETTISON_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    EXPECT_NO_THROW(load_scenario(entry.path().string())) << entry.path();
    ++checked;
  }
  EXPECT_GE(checked, 10U);
}

}  // namespace
}  // namespace jettison::sim

namespace jettison::sim {
namespace {

TEST(PathResolution, SetPathsResolveFromTheCurrentFolderAndAbsolutePathsStay) {
  TempDir dir;
  dir.write("mine/idle.csv", jettison::testing::kTinyIdle);
  // Absolute path over the embedded default: read from disk, not looked up among embedded files.
  const std::string abs = (dir.path() / "mine/idle.csv").string();
  Scenario s = load_scenario(kDefaultScenario, {"idle_trace=" + abs, "desktops.count=2"});
  EXPECT_EQ(s.idle_trace.path, abs);
  // A relative path given with --set is relative to the current folder, not to the scenario file.
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  s = load_scenario(kDefaultScenario, {"idle_trace=mine/idle.csv", "desktops.count=2"});
  std::filesystem::current_path(cwd);
  EXPECT_EQ(s.idle_trace.path, "mine/idle.csv");
  EXPECT_EQ(s.idle_trace.periods, 5U);
}

}  // namespace
}  // namespace jettison::sim
