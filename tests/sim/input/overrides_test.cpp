// --set key.path=value: overrides meet the same checks as the file, and errors in them are reported
// with the origin "--set key.path" instead of a file line.
#include "sim/scenario/overrides.hpp"

#include <gtest/gtest.h>

#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/input/input_test_support.hpp"

namespace jettison::sim {
namespace {

using jettison::testing::CaughtInputError;
using jettison::testing::Contains;
using jettison::testing::input_error;
using jettison::testing::kTinyScenario;
using jettison::testing::line_of;
using jettison::testing::replaced;
using jettison::testing::TempDir;
using jettison::testing::with_list;
using jettison::testing::write_scenario;

class Overrides : public ::testing::Test {
 protected:
  Scenario load(const std::vector<std::string>& sets, const std::string& yaml = kTinyScenario) {
    path_ = write_scenario(dir_, yaml);
    return load_scenario(path_, sets);
  }
  CaughtInputError load_error(const std::vector<std::string>& sets, const std::string& yaml = kTinyScenario) {
    path_ = write_scenario(dir_, yaml);
    return input_error([&] { load_scenario(path_, sets); });
  }
  TempDir dir_;
  std::string path_;
};

TEST_F(Overrides, ValidOverrideChangesTheValue) {
  const Scenario s = load({"desktop.power.idle=50W"});
  EXPECT_DOUBLE_EQ(s.desktops[0].power()[PowerState::kIdle].watts(), 50.0);
  EXPECT_DOUBLE_EQ(s.desktops[1].power()[PowerState::kIdle].watts(), 50.0);
  EXPECT_DOUBLE_EQ(s.desktops[0].power()[PowerState::kActive].watts(), 110.0);
}

TEST_F(Overrides, LaterOverrideWins) {
  const Scenario s = load({"desktop.power.idle=50W", "desktop.power.idle=70 W"});
  EXPECT_DOUBLE_EQ(s.desktops[0].power()[PowerState::kIdle].watts(), 70.0);
}

// A scenario that names a count runs on a bigger trace without knowing its size: `all` takes every
// desktop of the trace (the tiny scenario's has 3, its count says 2), as leaving count out does.
TEST_F(Overrides, CountAllTakesEveryDesktopOfTheTrace) {
  const Scenario s = load({"desktops.count=all"});
  ASSERT_EQ(s.desktops.size(), 3U);
  EXPECT_EQ(s.desktops[2].id, "d02");
  EXPECT_EQ(load({"desktops.count=3"}).desktops.size(), 3U);
  const auto e = load_error({"desktops.count=everything"});
  EXPECT_EQ(e.origin, "--set desktops.count");
  EXPECT_NE(e.what.find("'everything' is neither a number of desktops nor 'all'"), std::string::npos) << e.what;
}

TEST_F(Overrides, IndexesLists) {
  const Scenario s = load({"desktops.list.0.profile=linux"}, with_list(kTinyScenario));
  EXPECT_EQ(s.desktops[0].id, "d01");
  EXPECT_EQ(s.desktops[0].profile, 1U);
}

TEST_F(Overrides, CreatesMissingMappings) {
  const Scenario s = load({"desktops.list.0.power.asleep=2W"}, with_list(kTinyScenario));
  EXPECT_DOUBLE_EQ(s.desktops[0].power()[PowerState::kAsleep].watts(), 2.0);
  EXPECT_DOUBLE_EQ(s.desktops[1].power()[PowerState::kAsleep].watts(), 1.2);
}

TEST_F(Overrides, AddsAKeyTheFileOmits) {
  const Scenario s = load({"page_size=1KiB"}, replaced(kTinyScenario, "page_size: 4KiB\n", ""));
  EXPECT_EQ(s.page_size.count(), 1024U);
}

TEST_F(Overrides, ReplacesAWholeList) {
  const Scenario s = load({"strategies=[partial, full]"});
  EXPECT_EQ(s.strategies, (std::vector<std::string>{"partial", "full"}));
}

TEST_F(Overrides, ReplacesOneListItem) {
  const Scenario s = load({"strategies.0=partial", "strategies.3=always-on"});
  EXPECT_EQ(s.strategies, (std::vector<std::string>{"partial", "sleep-only", "full", "always-on"}));
}

TEST_F(Overrides, ChangesTheNumberOfDesktops) { EXPECT_EQ(load({"desktops.count=3"}).desktops.size(), 3U); }

TEST_F(Overrides, MissingEqualsSign) {
  const auto e = load_error({"desktop.power.idle"});
  EXPECT_EQ(e.origin, "--set desktop.power.idle");
  EXPECT_TRUE(Contains(e.what, "expected key.path=value"));
}

TEST_F(Overrides, MissingKey) {
  const auto e = load_error({"=50W"});
  EXPECT_EQ(e.origin, "--set =50W");
  EXPECT_TRUE(Contains(e.what, "expected key.path=value"));
}

TEST_F(Overrides, EmptyPathSegment) {
  const auto e = load_error({"desktop..idle=50W"});
  EXPECT_EQ(e.origin, "--set desktop..idle=50W");
  EXPECT_TRUE(Contains(e.what, "key path 'desktop..idle' has an empty segment"));
}

TEST_F(Overrides, InvalidYamlValue) {
  const auto e = load_error({"strategies=[partial"});
  EXPECT_EQ(e.origin, "--set strategies=[partial");
  EXPECT_TRUE(Contains(e.what, "value is not valid YAML"));
}

TEST_F(Overrides, BadValueNamesTheSetKeyPath) {
  const auto e = load_error({"desktop.power.idle=50"});
  EXPECT_EQ(e.origin, "--set desktop.power.idle");
  EXPECT_TRUE(Contains(e.what, "'50' has no unit"));
}

TEST_F(Overrides, WrongKindOfUnitNamesTheSetKeyPath) {
  const auto e = load_error({"migration.migrate_after=5W"});
  EXPECT_EQ(e.origin, "--set migration.migrate_after");
  EXPECT_TRUE(Contains(e.what, "'5W' is a power, but a duration is expected"));
}

TEST_F(Overrides, EmptyValueNamesTheSetKeyPath) {
  const auto e = load_error({"name="});
  EXPECT_EQ(e.origin, "--set name");
  EXPECT_TRUE(Contains(e.what, "has no value"));
}

TEST_F(Overrides, RangeErrorNamesTheSetKeyPath) {
  const auto e = load_error({"migration.full.max_rounds=0"});
  EXPECT_EQ(e.origin, "--set migration.full.max_rounds");
  EXPECT_TRUE(Contains(e.what, "must be between 1 and 1000"));
}

TEST_F(Overrides, BadListItemNamesTheSetKeyPathAsTheLoaderSpellsIt) {
  const auto e = load_error({"desktops.list.0.profile=macos"}, with_list(kTinyScenario));
  EXPECT_EQ(e.origin, "--set desktops.list[0].profile");
  EXPECT_TRUE(Contains(e.what, "no page-trace profile named 'macos'"));
}

TEST_F(Overrides, UnknownStrategyNamesTheSetKeyPath) {
  const auto e = load_error({"strategies=[partial, nap]"});
  EXPECT_EQ(e.origin, "--set strategies[1]");
  EXPECT_TRUE(Contains(e.what, "unknown strategy 'nap'"));
}

TEST_F(Overrides, UnknownNestedKeyNamesTheSet) {
  const auto e = load_error({"desktop.power.idel=50W"});
  EXPECT_EQ(e.origin, "--set desktop.power.idel");
  EXPECT_TRUE(Contains(e.what, "unknown key 'idel'"));
  EXPECT_TRUE(Contains(e.what, "(did you mean 'idle'?)"));
}

TEST_F(Overrides, UnknownTopLevelKeyNamesTheSet) {
  const auto e = load_error({"colour=blue"});
  EXPECT_EQ(e.origin, "--set colour");
  EXPECT_TRUE(Contains(e.what, "unknown key 'colour'"));
}

TEST_F(Overrides, UnknownKeyBelowANewMappingNamesTheSet) {
  const auto e = load_error({"desktop.pwr.idle=50W"});
  EXPECT_EQ(e.origin, "--set desktop.pwr.idle");
  EXPECT_TRUE(Contains(e.what, "unknown key 'pwr'"));
}

TEST_F(Overrides, ListIndexOutOfRange) {
  const auto e = load_error({"desktops.list.5.profile=linux"}, with_list(kTinyScenario));
  EXPECT_EQ(e.origin, "--set desktops.list.5.profile=linux");
  EXPECT_TRUE(Contains(e.what, "'desktops.list[5]': the list has 2 entries"));
}

TEST_F(Overrides, ListIndexNotANumber) {
  const auto e = load_error({"desktops.list.first.profile=linux"}, with_list(kTinyScenario));
  EXPECT_EQ(e.origin, "--set desktops.list.first.profile=linux");
  EXPECT_TRUE(Contains(e.what, "'first' is not an index"));
}

TEST_F(Overrides, KeyBelowASingleValue) {
  const auto e = load_error({"name.first=x"});
  EXPECT_EQ(e.origin, "--set name.first=x");
  EXPECT_TRUE(Contains(e.what, "'name.first': its parent holds a single value"));
}

TEST_F(Overrides, ErrorsOutsideTheOverrideStillNameTheFileLine) {
  const std::string yaml = replaced(kTinyScenario, "asleep: 1.2W", "asleep: 1.2");
  const auto e = load_error({"desktop.power.idle=50W"}, yaml);
  EXPECT_EQ(e.origin, path_ + ":" + std::to_string(line_of(yaml, "asleep: 1.2")) + ": desktop.power.asleep");
}

TEST(ApplyOverride, ReturnsThePathAsTheLoaderSpellsIt) {
  YAML::Node root = YAML::Load("a: {b: [x, {c: 1}]}\n");
  EXPECT_EQ(apply_override(root, "a.b.1.c=2"), "a.b[1].c");
  EXPECT_EQ(root["a"]["b"][1]["c"].as<int>(), 2);
  EXPECT_EQ(apply_override(root, "a.d.e=3"), "a.d.e");
  EXPECT_EQ(root["a"]["d"]["e"].as<int>(), 3);
}

}  // namespace
}  // namespace jettison::sim
