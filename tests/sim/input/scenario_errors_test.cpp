// sim/scenario/scenario_loader: every bad scenario is an InputError whose origin names the file, the
// exact line and the key path (or the trace file and its line), and whose message says what is wrong.
#include <gtest/gtest.h>

#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/input/input_test_support.hpp"

namespace jettison::sim {
namespace {

using jettison::testing::CaughtInputError;
using jettison::testing::Contains;
using jettison::testing::input_error;
using jettison::testing::kTinyIdle;
using jettison::testing::kTinyLinux;
using jettison::testing::kTinyScenario;
using jettison::testing::kTinyWindows;
using jettison::testing::line_of;
using jettison::testing::replaced;
using jettison::testing::TempDir;
using jettison::testing::with_list;
using jettison::testing::write_scenario;

class ScenarioErrors : public ::testing::Test {
 protected:
  // Writes `yaml` with the traces and returns the InputError loading it raises.
  CaughtInputError load_error(const std::string& yaml, const std::string& idle = kTinyIdle,
                              const std::string& windows = kTinyWindows) {
    yaml_ = yaml;
    path_ = write_scenario(dir_, yaml, idle, windows, kTinyLinux);
    return input_error([&] { load_scenario(path_); });
  }
  // "file:line: key.path" for the line of the YAML text written last that holds `needle`.
  std::string at(const std::string& needle, const std::string& key_path) const {
    return path_ + ":" + std::to_string(line_of(yaml_, needle)) + ": " + key_path;
  }
  std::string file(const std::string& name) const { return (dir_.path() / name).string(); }

  TempDir dir_;
  std::string yaml_;
  std::string path_;
};

// --- structure and keys -------------------------------------------------------------------------

TEST_F(ScenarioErrors, MissingScenarioFile) {
  const std::string path = file("absent.yaml");
  const auto e = input_error([&] { load_scenario(path); });
  EXPECT_EQ(e.origin, path);
  EXPECT_TRUE(Contains(e.what, "cannot open"));
}

TEST_F(ScenarioErrors, MalformedYamlNamesTheLine) {
  const auto e = load_error(replaced(kTinyScenario, "    idle: 102.1W", "    idle: 102.1W: 3"));
  EXPECT_EQ(e.origin, path_ + ":" + std::to_string(line_of(yaml_, "idle: 102.1W: 3")));
  EXPECT_TRUE(Contains(e.what, "not valid YAML"));
}

TEST_F(ScenarioErrors, UnclosedFlowListNamesWhereTheParserStopped) {
  const auto e = load_error(replaced(kTinyScenario, "partial]\n", "partial\nextra: 1\n"));
  EXPECT_EQ(e.origin, path_ + ":" + std::to_string(line_of(yaml_, "extra: 1")));
  EXPECT_TRUE(Contains(e.what, "not valid YAML"));
}

TEST_F(ScenarioErrors, TopLevelMustBeAMapping) {
  const auto e = load_error("- just\n- a list\n");
  EXPECT_EQ(e.origin, path_ + ":1");
  EXPECT_TRUE(Contains(e.what, "a scenario is a mapping"));
}

TEST_F(ScenarioErrors, UnknownTopLevelKeySuggestsTheNearOne) {
  const auto e = load_error(replaced(kTinyScenario, "strategies: [", "strategis: ["));
  EXPECT_EQ(e.origin, at("strategis:", "strategis"));
  EXPECT_TRUE(Contains(e.what, "unknown key 'strategis'"));
  EXPECT_TRUE(Contains(e.what, "(did you mean 'strategies'?)"));
  EXPECT_TRUE(Contains(e.what, "allowed here: name, seed, page_size"));
}

TEST_F(ScenarioErrors, UnknownTopLevelKeyFarFromAnyGivesNoSuggestion) {
  const auto e = load_error(kTinyScenario + "colour: blue\n");
  EXPECT_EQ(e.origin, at("colour:", "colour"));
  EXPECT_TRUE(Contains(e.what, "unknown key 'colour'"));
  EXPECT_FALSE(Contains(e.what, "did you mean"));
}

TEST_F(ScenarioErrors, UnknownNestedKey) {
  const auto e = load_error(replaced(kTinyScenario, "    idle: 102.1W", "    idel: 102.1W"));
  EXPECT_EQ(e.origin, at("idel:", "desktop.power.idel"));
  EXPECT_TRUE(Contains(e.what, "unknown key 'idel' (did you mean 'idle'?)"));
}

TEST_F(ScenarioErrors, UnknownKeyInADesktopListEntry) {
  const auto e = load_error(replaced(with_list(kTinyScenario), "vm_memory: 2GiB", "memory: 2GiB"));
  EXPECT_EQ(e.origin, at("memory: 2GiB", "desktops.list[0].memory"));
  EXPECT_TRUE(Contains(e.what, "unknown key 'memory'"));
}

TEST_F(ScenarioErrors, MissingRequiredTopLevelKey) {
  const auto e = load_error(replaced(kTinyScenario, "seed: 7\n", ""));
  // The top-level mapping starts at its first key (line 2, after the comment).
  EXPECT_EQ(e.origin, path_ + ":2");
  EXPECT_TRUE(Contains(e.what, "missing required key 'seed'"));
}

TEST_F(ScenarioErrors, MissingRequiredNestedKey) {
  const auto e = load_error(replaced(kTinyScenario, "  migrate_after: 5min\n", ""));
  // The origin is the mapping that lacks the key: migration, which starts at its first key.
  EXPECT_EQ(e.origin, at("  partial:", "migration"));
  EXPECT_TRUE(Contains(e.what, "missing required key 'migrate_after'"));
}

TEST_F(ScenarioErrors, MissingPowerState) {
  const auto e = load_error(replaced(kTinyScenario, "    serving: 60W\n", ""));
  EXPECT_EQ(e.origin, at("active: 110W", "desktop.power"));
  EXPECT_TRUE(Contains(e.what, "missing required key 'serving'"));
}

TEST_F(ScenarioErrors, KeyWithoutValue) {
  const auto e = load_error(replaced(kTinyScenario, "name: tiny\n", "name:\n"));
  EXPECT_TRUE(Contains(e.what, "has no value"));
  // yaml-cpp marks an empty value at the next token; the error must name the key's own line.
  EXPECT_EQ(e.origin, path_ + ":" + std::to_string(line_of(yaml_, "seed: 7") - 1) + ": name");
}

TEST_F(ScenarioErrors, EmptyQuantityValue) {
  const auto e = load_error(replaced(kTinyScenario, "    serving: 60W\n", "    serving:\n"));
  EXPECT_EQ(e.origin, at("serving:", "desktop.power.serving"));
  EXPECT_TRUE(Contains(e.what, "has no value")) << e.what;
}

TEST_F(ScenarioErrors, EmptyScenarioFile) {
  const auto e = load_error("# nothing but a comment\n");
  EXPECT_TRUE(Contains(e.what, "a scenario is a mapping of keys to values"));
  EXPECT_TRUE(Contains(e.origin, path_));
  EXPECT_FALSE(Contains(e.what, ": :")) << e.what;
}

TEST_F(ScenarioErrors, ExplicitNullNamesItsOwnLine) {
  const auto e = load_error(replaced(kTinyScenario, "name: tiny\n", "name: ~\n"));
  EXPECT_EQ(e.origin, at("name: ~", "name"));
  EXPECT_TRUE(Contains(e.what, "has no value"));
}

TEST_F(ScenarioErrors, DuplicateKeyIsRejected) {
  // YAML mapping keys are unique; a second 'seed' must not be silently dropped (or silently win).
  TempDir dir;
  const std::string yaml = replaced(kTinyScenario, "seed: 7\n", "seed: 7\nseed: 8\n");
  const std::string path = write_scenario(dir, yaml);
  try {
    const Scenario s = load_scenario(path);
    ADD_FAILURE() << "a key given twice was accepted (seed read as " << s.seed << ")";
  } catch (const InputError& e) {
    EXPECT_EQ(e.origin(), path + ":" + std::to_string(line_of(yaml, "seed: 8")) + ": seed");
    EXPECT_TRUE(Contains(e.what(), "given twice"));
  }
}

TEST_F(ScenarioErrors, ListWhereAValueIsExpected) {
  const auto e = load_error(replaced(kTinyScenario, "idle: 102.1W", "idle: [102.1W]"));
  EXPECT_EQ(e.origin, at("idle: [102.1W]", "desktop.power.idle"));
  EXPECT_TRUE(Contains(e.what, "expected a single value"));
}

// --- values -------------------------------------------------------------------------------------

TEST_F(ScenarioErrors, ValueWithoutUnit) {
  const auto e = load_error(replaced(kTinyScenario, "idle: 102.1W", "idle: 102.1"));
  EXPECT_EQ(e.origin, at("idle: 102.1", "desktop.power.idle"));
  EXPECT_TRUE(Contains(e.what, "'102.1' has no unit"));
}

TEST_F(ScenarioErrors, WrongKindOfUnit) {
  const auto e = load_error(replaced(kTinyScenario, "latency: 0.2ms", "latency: 100Mbps"));
  EXPECT_EQ(e.origin, at("latency: 100Mbps", "desktop.link.latency"));
  EXPECT_TRUE(Contains(e.what, "'100Mbps' is a bandwidth, but a duration is expected"));
}

TEST_F(ScenarioErrors, NegativePower) {
  const auto e = load_error(replaced(kTinyScenario, "asleep: 1.2W", "asleep: -1.2W"));
  EXPECT_EQ(e.origin, at("asleep: -1.2W", "desktop.power.asleep"));
  EXPECT_TRUE(Contains(e.what, "must not be negative"));
}

TEST_F(ScenarioErrors, ZeroBandwidth) {
  const auto e = load_error(replaced(kTinyScenario, "bandwidth: 1Gbps", "bandwidth: 0Gbps"));
  EXPECT_EQ(e.origin, at("bandwidth: 0Gbps", "desktop.link.bandwidth"));
  EXPECT_TRUE(Contains(e.what, "must be positive"));
}

TEST_F(ScenarioErrors, SeedNotAWholeNumber) {
  const auto e = load_error(replaced(kTinyScenario, "seed: 7", "seed: -7"));
  EXPECT_EQ(e.origin, at("seed: -7", "seed"));
  EXPECT_TRUE(Contains(e.what, "'-7' is not a non-negative whole number"));
}

TEST_F(ScenarioErrors, NotABoolean) {
  const auto e = load_error(replaced(kTinyScenario, "add_to_total: false", "add_to_total: maybe"));
  EXPECT_EQ(e.origin, at("add_to_total: maybe", "server.add_to_total"));
  EXPECT_TRUE(Contains(e.what, "'maybe' is not true or false"));
}

TEST_F(ScenarioErrors, PageSizeNotAPowerOfTwo) {
  const auto e = load_error(replaced(kTinyScenario, "page_size: 4KiB", "page_size: 3KiB"));
  EXPECT_EQ(e.origin, at("page_size: 3KiB", "page_size"));
  EXPECT_TRUE(Contains(e.what, "power of two"));
}

TEST_F(ScenarioErrors, PageSizeTooSmall) {
  const auto e = load_error(replaced(kTinyScenario, "page_size: 4KiB", "page_size: 256B"));
  EXPECT_EQ(e.origin, at("page_size: 256B", "page_size"));
  EXPECT_TRUE(Contains(e.what, "at least 512B"));
}

TEST_F(ScenarioErrors, MaxRoundsZero) {
  const auto e = load_error(replaced(kTinyScenario, "max_rounds: 30", "max_rounds: 0"));
  EXPECT_EQ(e.origin, at("max_rounds: 0", "migration.full.max_rounds"));
  EXPECT_TRUE(Contains(e.what, "must be between 1 and 1000"));
}

TEST_F(ScenarioErrors, MaxRoundsTooMany) {
  const auto e = load_error(replaced(kTinyScenario, "max_rounds: 30", "max_rounds: 1001"));
  EXPECT_EQ(e.origin, at("max_rounds: 1001", "migration.full.max_rounds"));
  EXPECT_TRUE(Contains(e.what, "must be between 1 and 1000"));
}

TEST_F(ScenarioErrors, MaxRoundsBeyond32BitsIsNotTruncated) {
  // 2^32 + 1 must be rejected, not read as 1 round.
  TempDir dir;
  const std::string yaml = replaced(kTinyScenario, "max_rounds: 30", "max_rounds: 4294967297");
  const std::string path = write_scenario(dir, yaml);
  try {
    const Scenario s = load_scenario(path);
    ADD_FAILURE() << "4294967297 was accepted as " << s.migration.full.max_rounds << " round(s)";
  } catch (const InputError& e) {
    EXPECT_EQ(e.origin(),
              path + ":" + std::to_string(line_of(yaml, "max_rounds:")) + ": migration.full.max_rounds");
    EXPECT_TRUE(Contains(e.what(), "must be between 1 and 1000"));
  }
}

TEST_F(ScenarioErrors, VmMemoryNotAMultipleOfPageSize) {
  const auto e = load_error(replaced(kTinyScenario, "vm_memory: 1GiB", "vm_memory: 1000000B"));
  EXPECT_EQ(e.origin, at("vm_memory: 1000000B", "desktop"));  // desktop's mapping starts there
  EXPECT_TRUE(
      Contains(e.what, "desktop 'd00': vm_memory 1000000 must be a positive multiple of page_size 4096"));
}

TEST_F(ScenarioErrors, MetadataLargerThanVmMemory) {
  const auto e = load_error(replaced(kTinyScenario, "metadata: 40MiB", "metadata: 2GiB"));
  EXPECT_EQ(e.origin, at("vm_memory: 1GiB", "desktop"));
  EXPECT_TRUE(Contains(e.what, "migration.partial.metadata is larger than desktop 'd00''s vm_memory"));
}

// --- traces -------------------------------------------------------------------------------------

TEST_F(ScenarioErrors, MissingIdleTraceNamesTheKeyAndLine) {
  const auto e =
      load_error(replaced(kTinyScenario, "idle_trace: traces/idle.csv", "idle_trace: traces/gone.csv"));
  EXPECT_EQ(e.origin, at("idle_trace:", "idle_trace"));
  EXPECT_TRUE(Contains(e.what, "cannot open"));
  EXPECT_TRUE(Contains(e.what, file("traces/gone.csv")));
}

TEST_F(ScenarioErrors, BadIdleTraceRowNamesTheTraceFileAndLine) {
  const auto e = load_error(kTinyScenario, "desktop,start,end\nd00,1,2\nd01,5,4\n");
  EXPECT_EQ(e.origin, file("traces/idle.csv") + ":3");
  EXPECT_TRUE(Contains(e.what, "end 4 is not after start 5"));
}

TEST_F(ScenarioErrors, EmptyIdleTrace) {
  const auto e = load_error(kTinyScenario, "desktop,start,end\n");
  EXPECT_EQ(e.origin, at("idle_trace:", "idle_trace"));
  EXPECT_TRUE(Contains(e.what, "holds no idle periods"));
}

TEST_F(ScenarioErrors, MissingProfileFile) {
  const auto e = load_error(replaced(kTinyScenario, "file: traces/linux.csv", "file: traces/nope.csv"));
  EXPECT_EQ(e.origin, at("file: traces/nope.csv", "page_traces.profiles[1].file"));
  EXPECT_TRUE(Contains(e.what, "cannot open"));
  EXPECT_TRUE(Contains(e.what, file("traces/nope.csv")));
}

TEST_F(ScenarioErrors, BadProfileRowNamesTheProfileFileAndLine) {
  const auto e = load_error(kTinyScenario, kTinyIdle, "time,page,op\n1,1,r\n2,2,q\n");
  EXPECT_EQ(e.origin, file("traces/windows.csv") + ":3");
  EXPECT_TRUE(Contains(e.what, "op 'q' is unknown"));
}

TEST_F(ScenarioErrors, NoProfiles) {
  const std::string yaml = replaced(kTinyScenario,
                                    "  profiles:\n"
                                    "    - name: windows\n"
                                    "      file: traces/windows.csv\n"
                                    "      when_shorter: repeat\n"
                                    "    - name: linux\n"
                                    "      file: traces/linux.csv\n"
                                    "      when_shorter: stop\n"
                                    "      length: 10s\n",
                                    "  profiles: []\n");
  const auto e = load_error(yaml);
  EXPECT_EQ(e.origin, at("profiles: []", "page_traces.profiles"));
  EXPECT_TRUE(Contains(e.what, "needs at least one profile"));
}

TEST_F(ScenarioErrors, ProfileDefinedTwice) {
  const auto e = load_error(replaced(kTinyScenario, "- name: linux", "- name: windows"));
  EXPECT_EQ(e.origin, path_ + ":" + std::to_string(line_of(yaml_, "file: traces/linux.csv") - 1) +
                          ": page_traces.profiles[1].name");
  EXPECT_TRUE(Contains(e.what, "profile 'windows' is defined twice"));
}

TEST_F(ScenarioErrors, UnknownWhenShorter) {
  const auto e = load_error(replaced(kTinyScenario, "when_shorter: stop", "when_shorter: loop"));
  EXPECT_EQ(e.origin, at("when_shorter: loop", "page_traces.profiles[1].when_shorter"));
  EXPECT_TRUE(Contains(e.what, "'loop' is not one of: repeat, stop"));
}

TEST_F(ScenarioErrors, UnknownAnchor) {
  const auto e =
      load_error(replaced(kTinyScenario, "when_shorter: stop", "when_shorter: stop\n      anchor: resume"));
  EXPECT_EQ(e.origin, at("anchor: resume", "page_traces.profiles[1].anchor"));
  EXPECT_TRUE(Contains(e.what, "'resume' is not one of: idle-start, migration-end"));
}

TEST_F(ScenarioErrors, LengthNotAfterTheLastAccess) {
  const auto e = load_error(replaced(kTinyScenario, "length: 10s", "length: 4s"));
  EXPECT_EQ(e.origin, at("length: 4s", "page_traces.profiles[1].length"));
  EXPECT_TRUE(Contains(e.what, "after the profile's last access at 4.5 s"));
}

TEST_F(ScenarioErrors, UnknownAssignment) {
  const auto e = load_error(replaced(kTinyScenario, "assign: round-robin", "assign: alphabetical"));
  EXPECT_EQ(e.origin, at("assign: alphabetical", "page_traces.assign"));
  EXPECT_TRUE(Contains(e.what, "'alphabetical' is not one of: round-robin, random"));
}

TEST_F(ScenarioErrors, PageBeyondVmMemoryNamesTheProfileFileAndLine) {
  // 1 GiB of 4 KiB pages: 262144 pages, 0..262143.
  const auto e = load_error(kTinyScenario, kTinyIdle, "time,page,op\n1,262143,r\n\n2,262144,w\n3,5,r\n");
  EXPECT_EQ(e.origin, file("traces/windows.csv") + ":4");
  EXPECT_TRUE(Contains(e.what, "page 262144 is outside the 262144 pages of desktop 'd00'"));
}

TEST_F(ScenarioErrors, PageBeyondVmMemoryOfOneListedDesktop) {
  // The linux profile (page 200000) fits 1 GiB but not d00's 512 MiB.
  const std::string yaml = replaced(with_list(kTinyScenario), "      link: {latency: 1ms}\n",
                                    "      link: {latency: 1ms}\n      vm_memory: 512MiB\n");
  const auto e = load_error(yaml);
  EXPECT_EQ(e.origin, file("traces/linux.csv") + ":3");
  EXPECT_TRUE(Contains(e.what, "page 200000 is outside the 131072 pages of desktop 'd00'"));
}

// --- strategies and policy ----------------------------------------------------------------------

TEST_F(ScenarioErrors, UnknownStrategy) {
  const auto e =
      load_error(replaced(kTinyScenario, "[always-on, sleep-only, full, partial]", "[always-on, hibernate]"));
  EXPECT_EQ(e.origin, at("strategies:", "strategies[1]"));
  EXPECT_TRUE(
      Contains(e.what, "unknown strategy 'hibernate'; choose from: always-on, sleep-only, full, partial"));
}

TEST_F(ScenarioErrors, DuplicateStrategy) {
  const auto e = load_error(replaced(kTinyScenario, "[always-on, sleep-only, full, partial]",
                                     "\n  - full\n  - partial\n  - full\n"));
  EXPECT_EQ(e.origin, path_ + ":" + std::to_string(line_of(yaml_, "- partial") + 1) + ": strategies[2]");
  EXPECT_TRUE(Contains(e.what, "strategy 'full' is listed twice"));
}

TEST_F(ScenarioErrors, NoStrategies) {
  const auto e = load_error(replaced(kTinyScenario, "[always-on, sleep-only, full, partial]", "[]"));
  EXPECT_EQ(e.origin, at("strategies:", "strategies"));
  EXPECT_TRUE(Contains(e.what, "needs at least one strategy"));
}

TEST_F(ScenarioErrors, UnknownSleepRule) {
  const auto e = load_error(replaced(kTinyScenario, "rule: timeout", "rule: nap"));
  EXPECT_EQ(e.origin, at("rule: nap", "policy.sleep.rule"));
  EXPECT_TRUE(Contains(e.what, "unknown sleep rule 'nap'; choose one of:"));
  EXPECT_TRUE(Contains(e.what, "timeout"));
}

// --- desktops -----------------------------------------------------------------------------------

TEST_F(ScenarioErrors, CountLargerThanTheTrace) {
  const auto e = load_error(replaced(kTinyScenario, "count: 2", "count: 4"));
  EXPECT_EQ(e.origin, at("count: 4", "desktops.count"));
  EXPECT_TRUE(Contains(e.what, "asks for 4 desktops but " + file("traces/idle.csv") + " has only 3"));
}

TEST_F(ScenarioErrors, CountZero) {
  const auto e = load_error(replaced(kTinyScenario, "count: 2", "count: 0"));
  EXPECT_EQ(e.origin, at("count: 0", "desktops.count"));
  EXPECT_TRUE(Contains(e.what, "must be at least 1"));
}

TEST_F(ScenarioErrors, CountNeitherANumberNorAll) {
  const auto e = load_error(replaced(kTinyScenario, "count: 2", "count: every"));
  EXPECT_EQ(e.origin, at("count: every", "desktops.count"));
  EXPECT_TRUE(Contains(e.what, "'every' is neither a number of desktops nor 'all'"));
}

TEST_F(ScenarioErrors, ListedIdAbsentFromTheTrace) {
  const auto e = load_error(replaced(with_list(kTinyScenario), "- id: d00", "- id: d09"));
  EXPECT_EQ(e.origin, at("- id: d09", "desktops.list[1].id"));
  EXPECT_TRUE(Contains(e.what, "desktop 'd09' has no idle periods in " + file("traces/idle.csv")));
}

TEST_F(ScenarioErrors, DuplicateListedId) {
  const auto e = load_error(replaced(with_list(kTinyScenario), "- id: d00", "- id: d01"));
  EXPECT_EQ(e.origin, at("- id: d01", "desktops.list[1].id"));
  EXPECT_TRUE(Contains(e.what, "desktop 'd01' is listed twice"));
}

TEST_F(ScenarioErrors, ListedProfileUnknown) {
  const auto e = load_error(replaced(with_list(kTinyScenario), "profile: windows}", "profile: macos}"));
  EXPECT_EQ(e.origin, at("profile: macos", "desktops.list[0].profile"));
  EXPECT_TRUE(Contains(e.what, "no page-trace profile named 'macos'"));
}

TEST_F(ScenarioErrors, ListedPowerOverrideIsChecked) {
  const auto e = load_error(replaced(with_list(kTinyScenario), "power: {idle: 60W}", "power: {idle: 60s}"));
  EXPECT_EQ(e.origin, at("power: {idle: 60s}", "desktops.list[1].power.idle"));
  EXPECT_TRUE(Contains(e.what, "'60s' is a duration, but a power is expected"));
}

TEST_F(ScenarioErrors, BothCountAndList) {
  const auto e = load_error(
      replaced(with_list(kTinyScenario), "desktops:\n  list:\n", "desktops:\n  count: 2\n  list:\n"));
  EXPECT_EQ(e.origin, at("count: 2", "desktops"));
  EXPECT_TRUE(Contains(e.what, "give either 'count' or 'list', not both"));
}

}  // namespace
}  // namespace jettison::sim
