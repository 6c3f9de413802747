// common/config/yaml_checks and config_errors: what yaml-cpp lets through is an InputError naming
// file:line and key path (keys that are lists or mappings, a key given twice, text that is not
// UTF-8), every such error of a file at once, in line order; and the collector's ordering and cap.
#include "common/config/yaml_checks.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "common/config/config_errors.hpp"
#include "common/config/desktop_loader.hpp"
#include "common/config/yaml_node.hpp"
#include "common/input_error.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::config {
namespace {

using jettison::testing::TempDir;

// The full message of the InputError that loading `yaml` as "f.yaml" raises, "" if none.
std::string load_error(const std::string& yaml) {
  try {
    load_checked_yaml(yaml, "f.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(YamlChecks, SequenceKeyAtTopLevel) {
  EXPECT_EQ(load_error("seed: 1\n[a, b]: 1\n"), "f.yaml:2: keys must be plain words, not a sequence");
}

TEST(YamlChecks, MappingKeyNested) {
  EXPECT_EQ(load_error("desktop:\n  power:\n    {a: 1}: 2\n"),
            "f.yaml:3: desktop.power: keys must be plain words, not a mapping");
}

TEST(YamlChecks, EmptyKey) {
  EXPECT_EQ(load_error("a: 1\n~: 2\n"), "f.yaml:2: keys must be plain words, not empty");
}

TEST(YamlChecks, DuplicateTopLevelKeyNamesBothLines) {
  EXPECT_EQ(load_error("seed: 1\nname: x\nseed: 2\n"),
            "f.yaml:3: seed: key 'seed' given twice (first at line 1)");
}

TEST(YamlChecks, DuplicateNestedKeyNamesBothLines) {
  EXPECT_EQ(load_error("a:\n  b:\n    c: 1\n    d: 2\n    c: 3\n"),
            "f.yaml:5: a.b.c: key 'c' given twice (first at line 3)");
}

TEST(YamlChecks, DuplicateKeyInAFlowMappingInAList) {
  EXPECT_EQ(load_error("list:\n  - {id: a, id: b}\n"),
            "f.yaml:2: list[0].id: key 'id' given twice (first at line 2)");
}

TEST(YamlChecks, SameKeyInTwoMappingsIsFine) {
  EXPECT_EQ(load_error("a: {x: 1}\nb: {x: 2}\nc: [{x: 1}, {x: 2}]\n"), "");
}

TEST(YamlChecks, InvalidUtf8ValueNamesFileLineAndKey) {
  EXPECT_EQ(load_error("seed: 1\nname: ab\xff\n"),
            "f.yaml:2: name: the value 'ab\\xff' is not valid UTF-8 (byte 3 is 0xff)");
}

TEST(YamlChecks, InvalidUtf8KeyAndListItem) {
  EXPECT_EQ(load_error("k\xc3: 1\n"),
            "f.yaml:1: k\\xc3: the key 'k\\xc3' is not valid UTF-8 (byte 2 is 0xc3)");
  EXPECT_EQ(load_error("l: [ok, \"\xe2\x82\"]\n"),
            "f.yaml:1: l[1]: the value '\\xe2\\x82' is not valid UTF-8 (byte 1 is 0xe2)");
}

TEST(YamlChecks, ValidUtf8PassesEscapesToo) {
  EXPECT_EQ(load_error("name: \"caf\xc3\xa9 \\xff \xf0\x9f\x99\x82\"\n"), "");
}

TEST(YamlChecks, EveryErrorOfTheFileInLineOrder) {
  const std::string e = load_error(
      "seed: 1\n"           // 1
      "seed: 2\n"           // 2 twice
      "[x]: 1\n"            // 3 sequence key
      "a:\n"                // 4
      "  b: 1\n"            // 5
      "  b: 2\n"            // 6 twice
      "name: \"\xff\"\n");  // 7 not UTF-8
  EXPECT_EQ(e,
            "f.yaml:2: seed: key 'seed' given twice (first at line 1)\n"
            "f.yaml:3: keys must be plain words, not a sequence\n"
            "f.yaml:6: a.b: key 'b' given twice (first at line 5)\n"
            "f.yaml:7: name: the value '\\xff' is not valid UTF-8 (byte 1 is 0xff)");
}

TEST(YamlChecks, AnAliasIsCheckedOnceAndAliasTreesStaySmall) {
  EXPECT_EQ(load_error("a: &x {p: 1, p: 2}\nb: *x\n"),
            "f.yaml:1: a.p: key 'p' given twice (first at line 1)");
  // 2^30 paths through shared nodes: walked once per node, not once per path.
  std::string yaml = "l0: &a0 [x, y]\n";
  for (int i = 1; i <= 30; ++i) yaml += fmt::format("l{}: &a{} [*a{}, *a{}]\n", i, i, i - 1, i - 1);
  EXPECT_EQ(load_error(yaml), "");
}

TEST(YamlChecks, InvalidYamlNamesTheLine) {
  EXPECT_EQ(load_error("a: 1\nb: [\n").rfind("f.yaml:", 0), 0U);
  EXPECT_NE(load_error("a: 1\nb: [\n").find("not valid YAML"), std::string::npos);
}

TEST(YamlChecks, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("\xc3\xa9\xe2\x82\xac\xf4\x8f\xbf\xbf"));  // é € U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));                             // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));                         // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));                         // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));                     // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));                             // cut short
  EXPECT_FALSE(is_valid_utf8("\x80"));                                 // lone continuation
  EXPECT_EQ(printable("a\tb\xff\xc3\xa9"), "a\\x09b\\xff\xc3\xa9");
}

TEST(YamlChecks, AConfigFileIsReadUpToACap) {
  TempDir dir;
  const std::string path = (dir.path() / "big.yaml").string();
  {
    std::ofstream out(path, std::ios::binary);
    const std::string line = fmt::format("# {}\n", std::string(1021, 'x'));  // 1 KiB lines
    for (std::size_t i = 0; i <= kMaxConfigBytes / line.size(); ++i) out << line;
  }
  std::ifstream in(path, std::ios::binary);
  try {
    (void)read_config_text(in, path);
    ADD_FAILURE() << "a file over the cap was read";
  } catch (const InputError& e) {
    EXPECT_EQ(e.origin(), path);
    EXPECT_NE(std::string(e.what()).find("larger than 16 MiB"), std::string::npos) << e.what();
  }
}

// The loaders of common/config go through the checks: a key given twice in a scenario's desktop
// section, and in a file it extends, is named with the file that gave it.
TEST(YamlChecks, DesktopLoaderRejectsDuplicatesInEveryFileOfTheChain) {
  TempDir dir;
  const std::string base = dir.write("base.yaml", "desktop:\n  vm_memory: 1GiB\n  vm_memory: 2GiB\n");
  const std::string top = dir.write("top.yaml", "extends: base.yaml\n");
  try {
    load_scenario_figures(top);
    ADD_FAILURE() << "a key given twice was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              base + ":3: desktop.vm_memory: key 'vm_memory' given twice (first at line 2)");
  }
}

// --- ConfigErrors -------------------------------------------------------------------------------

TEST(ConfigErrors, NothingGatheredThrowsNothing) {
  ConfigErrors errors;
  EXPECT_TRUE(errors.attempt([] {}));
  EXPECT_NO_THROW(errors.throw_if_any());
}

TEST(ConfigErrors, OneErrorReadsAsIfThrownAlone) {
  ConfigErrors errors;
  EXPECT_FALSE(errors.attempt([] { throw LocatedInputError("f.yaml:3: seed", "bad", "f.yaml", 3); }));
  try {
    errors.throw_if_any();
    ADD_FAILURE();
  } catch (const LocatedInputError& e) {
    EXPECT_EQ(e.origin(), "f.yaml:3: seed");
    EXPECT_EQ(std::string(e.what()), "f.yaml:3: seed: bad");
    EXPECT_EQ(e.line(), 3);
  }
}

TEST(ConfigErrors, SortedByFileThenLineUnplacedLastRepeatsDropped) {
  ConfigErrors errors;
  errors.add(LocatedInputError("b.yaml:1: x", "four", "b.yaml", 1));
  errors.add(InputError("--set y", "five"));
  errors.add(LocatedInputError("a.yaml:9: z", "three", "a.yaml", 9));
  errors.add(LocatedInputError("a.yaml:2: w", "one", "a.yaml", 2));
  errors.add(LocatedInputError("a.yaml:2: v", "two", "a.yaml", 2));
  errors.add(LocatedInputError("a.yaml:2: w", "one", "a.yaml", 2));  // the same check run twice
  try {
    errors.throw_if_any();
    ADD_FAILURE();
  } catch (const InputError& e) {
    EXPECT_EQ(e.origin(), "a.yaml:2: w");
    EXPECT_EQ(std::string(e.what()),
              "a.yaml:2: w: one\na.yaml:2: v: two\na.yaml:9: z: three\nb.yaml:1: x: four\n--set y: five");
  }
}

TEST(ConfigErrors, CappedWithACountOfTheRest) {
  ConfigErrors errors;
  for (int i = 1; i <= 60; ++i) errors.add(LocatedInputError(fmt::format("f:{}", i), "bad", "f", i));
  try {
    errors.throw_if_any();
    ADD_FAILURE();
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_EQ(std::count(what.begin(), what.end(), '\n'), 50);  // 50 errors, then the count
    EXPECT_NE(what.find("f:50: bad\n... and 10 more errors"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace jettison::config
