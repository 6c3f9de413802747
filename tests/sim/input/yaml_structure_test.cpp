// sim/scenario/scenario_loader over what yaml-cpp lets through and what a run would reject later:
// keys that are lists or mappings, keys given twice (also in a file the scenario extends and in a
// --set value), text that is not UTF-8, names that cannot be a folder; and every independent error
// of a file reported at once, in line order.
#include <gtest/gtest.h>

#include <filesystem>

#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/input/input_test_support.hpp"

namespace jettison::sim {
namespace {

using jettison::testing::Contains;
using jettison::testing::input_error;
using jettison::testing::kTinyScenario;
using jettison::testing::line_of;
using jettison::testing::replaced;
using jettison::testing::TempDir;
using jettison::testing::write_scenario;

class YamlStructure : public ::testing::Test {
 protected:
  // The full message of the InputError loading `yaml` (with the tiny traces) raises.
  std::string error(const std::string& yaml, const std::vector<std::string>& sets = {}) {
    yaml_ = yaml;
    path_ = write_scenario(dir_, yaml);
    return input_error([&] { load_scenario(path_, sets); }).what;
  }
  // "file:line" of the line of the YAML written last that holds `needle`.
  std::string at(const std::string& needle) const {
    return path_ + ":" + std::to_string(line_of(yaml_, needle));
  }
  int line(const std::string& needle) const { return line_of(yaml_, needle); }

  TempDir dir_;
  std::string yaml_;
  std::string path_;
};

// --- keys that are not plain words ------------------------------------------------------------------

TEST_F(YamlStructure, SequenceKeyAtTopLevel) {
  // Was exit 1 with "yaml-cpp: ... bad conversion", naming no file or key.
  const std::string e = error(replaced(kTinyScenario, "seed: 7\n", "seed: 7\n[a, b]: 1\n"));
  EXPECT_EQ(e, at("[a, b]: 1") + ": keys must be plain words, not a sequence");
}

TEST_F(YamlStructure, MappingKeyNested) {
  const std::string e =
      error(replaced(kTinyScenario, "    asleep: 1.2W\n", "    asleep: 1.2W\n    {x: 1}: 2W\n"));
  EXPECT_EQ(e, at("{x: 1}: 2W") + ": desktop.power: keys must be plain words, not a mapping");
}

// --- keys given twice -----------------------------------------------------------------------------

TEST_F(YamlStructure, DuplicateTopLevelKeyNamesBothLines) {
  const std::string e = error(replaced(kTinyScenario, "seed: 7\n", "seed: 7\nseed: 8\n"));
  EXPECT_EQ(e, at("seed: 8") + ": seed: key 'seed' given twice (first at line " +
                   std::to_string(line("seed: 7")) + ")");
}

TEST_F(YamlStructure, DuplicateTopLevelSectionNamesBothLines) {
  // A whole section twice: yaml-cpp kept one of them silently.
  const std::string e = error(kTinyScenario + "policy:\n  sleep: {rule: never}\n");
  const int first = line("    rule: timeout") - 2;  // policy:, sleep:, rule: timeout
  const int second = line("sleep: {rule: never}") - 1;
  EXPECT_EQ(e, path_ + ":" + std::to_string(second) + ": policy: key 'policy' given twice (first at line " +
                   std::to_string(first) + ")");
}

TEST_F(YamlStructure, DuplicateNestedKeyNamesBothLines) {
  const std::string e =
      error(replaced(kTinyScenario, "    asleep: 1.2W\n", "    asleep: 1.2W\n    asleep: 1.3W\n"));
  EXPECT_EQ(e, at("asleep: 1.3W") + ": desktop.power.asleep: key 'asleep' given twice (first at line " +
                   std::to_string(line("asleep: 1.2W")) + ")");
}

TEST_F(YamlStructure, DuplicateKeyInAListEntry) {
  const std::string e =
      error(replaced(kTinyScenario, "    - name: linux\n", "    - name: linux\n      name: unix\n"));
  EXPECT_EQ(e, at("name: unix") + ": page_traces.profiles[1].name: key 'name' given twice (first at line " +
                   std::to_string(line("- name: linux")) + ")");
}

TEST_F(YamlStructure, DuplicateKeyInAnExtendedFileNamesThatFile) {
  const std::string base = write_scenario(dir_, replaced(kTinyScenario, "seed: 7\n", "seed: 7\nseed: 9\n"));
  const std::string top = dir_.write("top.yaml", "extends: scenario.yaml\nname: top\n");
  const std::string e = input_error([&] { load_scenario(top); }).what;
  EXPECT_EQ(e, base + ":4: seed: key 'seed' given twice (first at line 3)");  // line 1 is a comment
}

TEST_F(YamlStructure, DuplicateKeyInAFileThatExtendsAnother) {
  // Laid over its base key by key, the second 'seed' silently won.
  write_scenario(dir_, kTinyScenario);
  const std::string top = dir_.write("top.yaml", "extends: scenario.yaml\nseed: 1\nseed: 2\n");
  const std::string e = input_error([&] { load_scenario(top); }).what;
  EXPECT_EQ(e, top + ":3: seed: key 'seed' given twice (first at line 2)");
}

TEST_F(YamlStructure, DuplicateKeyInASetValue) {
  const std::string e = error(kTinyScenario, {"policy.sleep={rule: timeout, rule: never}"});
  EXPECT_EQ(e, "--set policy.sleep.rule: key 'rule' given twice (first at line 1)");
}

TEST_F(YamlStructure, SequenceKeyInASetValue) {
  const std::string e = error(kTinyScenario, {"server.power={[a]: 1}"});
  EXPECT_EQ(e, "--set server.power: keys must be plain words, not a sequence");
}

// --- UTF-8 and names ------------------------------------------------------------------------------

TEST_F(YamlStructure, NameNotUtf8) {
  // Passed validate; the run then failed writing summary.json (exit 1, an empty output folder).
  const std::string e = error(replaced(kTinyScenario, "name: tiny\n", "name: tiny\xff\n"));
  EXPECT_EQ(e, at("name: tiny") + ": name: the value 'tiny\\xff' is not valid UTF-8 (byte 5 is 0xff)");
}

TEST_F(YamlStructure, AnyValueNotUtf8) {
  const std::string e = error(replaced(kTinyScenario, "strategies: [always-on,",
                                       "about: {title: \"\xc3(\"}\nstrategies: [always-on,"));
  EXPECT_EQ(e,
            at("about: {title:") + ": about.title: the value '\\xc3(' is not valid UTF-8 (byte 1 is 0xc3)");
}

TEST_F(YamlStructure, NameNotUtf8FromASet) {
  const std::string e = error(kTinyScenario, {"name=x\xfe"});
  EXPECT_TRUE(Contains(e, "--set name=x\\xfe: not valid UTF-8")) << e;
}

TEST_F(YamlStructure, NameThatCannotBeAFolder) {
  for (const std::string& bad :
       {std::string("a/b"), std::string(".."), std::string("\"\""), std::string("\"a\\tb\"")}) {
    const std::string e = error(replaced(kTinyScenario, "name: tiny\n", "name: " + bad + "\n"));
    EXPECT_EQ(e.rfind(at("name: " + bad) + ": name: ", 0), 0U) << e;
    EXPECT_TRUE(Contains(e, "output folder results/<name>")) << e;
  }
}

TEST_F(YamlStructure, UnicodeNameIsFine) {
  write_scenario(dir_, replaced(kTinyScenario, "name: tiny\n", "name: b\xc3\xbcro-\xe2\x82\xac\n"));
  EXPECT_EQ(load_scenario((dir_.path() / "scenario.yaml").string()).name, "b\xc3\xbcro-\xe2\x82\xac");
}

TEST_F(YamlStructure, AScenarioFileThatNeverEndsIsCutShort) {
  // The whole file used to be read into memory before parsing: /dev/zero grew without bound.
  if (!std::filesystem::exists("/dev/zero")) GTEST_SKIP() << "no /dev/zero";
  const auto e = input_error([] { load_scenario("/dev/zero"); });
  EXPECT_EQ(e.origin, "/dev/zero");
  EXPECT_TRUE(Contains(e.what, "larger than 16 MiB")) << e.what;
}

// --- every error at once --------------------------------------------------------------------------

TEST_F(YamlStructure, ThreeUnknownKeysAndABadValueAllReportedInLineOrder) {
  std::string yaml = replaced(kTinyScenario, "seed: 7\n", "seed: 7\ncolour: blue\n");  // unknown
  yaml = replaced(yaml, "    asleep: 1.2W\n", "    asleep: 1.2\n");                    // bad value
  yaml = replaced(yaml, "    setup: 3.5s\n", "    setup: 3.5s\n    stup: 1s\n");       // unknown
  yaml = replaced(yaml, "    timeout: 10s\n", "    timeout: 10s\n    trsut: 0.5\n");   // unknown
  const auto e = input_error([&] {
    yaml_ = yaml;
    path_ = write_scenario(dir_, yaml);
    load_scenario(path_);
  });
  EXPECT_EQ(e.origin, at("colour: blue") + ": colour");
  const std::vector<std::string> lines = {
      at("colour: blue") + ": colour: unknown key 'colour'",
      at("asleep: 1.2") + ": desktop.power.asleep: ",
      at("stup: 1s") + ": migration.partial.stup: unknown key 'stup' (did you mean 'setup'?)",
      at("trsut: 0.5") + ": policy.sleep.trsut: unknown key 'trsut' (did you mean 'trust'?)",
  };
  std::size_t from = 0;
  for (const std::string& l : lines) {
    const std::size_t found = e.what.find(l, from);
    EXPECT_NE(found, std::string::npos) << "'" << l << "' missing or out of order in:\n" << e.what;
    if (found != std::string::npos) from = found + l.size();
  }
  EXPECT_EQ(std::count(e.what.begin(), e.what.end(), '\n'), 3) << e.what;  // four errors, one line each
}

TEST_F(YamlStructure, IndependentBadValuesInSeveralSectionsAndListEntries) {
  std::string yaml = replaced(kTinyScenario, "seed: 7\n", "seed: -7\n");
  yaml = replaced(yaml, "    max_rounds: 30\n", "    max_rounds: 0\n");
  yaml = replaced(yaml, "strategies: [always-on, sleep-only, full, partial]",
                  "strategies: [always-on, sleep-nope, full, partial]");
  yaml = replaced(yaml, "desktops:\n  count: 2\n",
                  "desktops:\n  list:\n    - {id: d00, colour: red}\n    - {id: d01, vm_memory: 2Gb}\n");
  const std::string e = error(yaml);
  std::size_t from = 0;
  for (const std::string& l :
       {at("seed: -7") + ": seed: ", at("{id: d00, colour: red}") + ": desktops.list[0].colour: ",
        at("max_rounds: 0") + ": migration.full.max_rounds: must be between 1 and 1000",
        at("strategies:") + ": strategies[1]: unknown strategy 'sleep-nope'"}) {
    const std::size_t found = e.find(l, from);
    EXPECT_NE(found, std::string::npos) << "'" << l << "' missing or out of order in:\n" << e;
    if (found != std::string::npos) from = found + l.size();
  }
  // The bad vm_memory of d01 depends on nothing that failed above, but desktops are read only once
  // everything they depend on is good: it is reported after the others are fixed.
  EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 3) << e;
}

TEST_F(YamlStructure, ASingleErrorStillReadsAsOneLine) {
  const std::string e = error(replaced(kTinyScenario, "seed: 7\n", "seed: seven\n"));
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  EXPECT_EQ(e.rfind(at("seed: seven") + ": seed: ", 0), 0U) << e;
}

}  // namespace
}  // namespace jettison::sim
