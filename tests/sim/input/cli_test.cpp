// jettison-sim as a user runs it: exit codes, one-line error messages naming the origin, and
// outputs written whole or not at all.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/sim/input/input_test_support.hpp"
#include "tests/support/csv_file.hpp"

namespace jettison::testing {
namespace {

using jettison::testing::slurp;

namespace fs = std::filesystem;

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class Cli : public ::testing::Test {
 protected:
  // Runs jettison-sim with `args` (already shell-quoted where needed) from the temp folder.
  CliResult sim(const std::string& args) {
    const fs::path out = dir_.path() / "cli.stdout";
    const fs::path err = dir_.path() / "cli.stderr";
    const std::string cmd = "cd '" + dir_.path().string() + "' && '" + JETTISON_SIM_BINARY + "' " + args +
                            " >'" + out.string() + "' 2>'" + err.string() + "'";
    const int status = std::system(cmd.c_str());
    CliResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }
  std::string q(const std::string& s) const { return "'" + s + "'"; }
  static bool has_staging(const fs::path& dir) {
    if (!fs::exists(dir)) return false;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().filename().string().rfind(".staging-", 0) == 0) return true;
    }
    return false;
  }

  TempDir dir_;
};

// One line, "jettison-sim: error: " then the origin.
void expect_one_error_line(const std::string& err, const std::string& origin) {
  ASSERT_FALSE(err.empty());
  EXPECT_EQ(err.find('\n'), err.size() - 1) << err;
  EXPECT_EQ(err.rfind("jettison-sim: error: " + origin, 0), 0U) << err;
}

TEST_F(Cli, ValidateGoodScenarioExitsZero) {
  const std::string path = write_scenario(dir_, kTinyScenario);
  const CliResult r = sim("validate " + q(path));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_TRUE(Contains(r.out, "scenario 'tiny' is valid: 2 desktops, 5 idle periods"));
  EXPECT_TRUE(Contains(r.out, "(streamed)"));
}

TEST_F(Cli, ValidateSaysWhenTheTraceIsBuffered) {
  const std::string path =
      write_scenario(dir_, kTinyScenario, "desktop,start,end\nd01,500,600\nd00,100,200\nd00,300,400\n");
  const CliResult r = sim("validate " + q(path));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "unsorted: buffered"));
}

TEST_F(Cli, ValidateQuietPrintsNothing) {
  const std::string path = write_scenario(dir_, kTinyScenario);
  const CliResult r = sim("validate --quiet " + q(path));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST_F(Cli, ValidateBadScenarioExitsTwoWithOneLineNamingFileAndLine) {
  const std::string yaml = replaced(kTinyScenario, "idle: 102.1W", "idle: 102.1");
  const std::string path = write_scenario(dir_, yaml);
  const CliResult r = sim("validate " + q(path));
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r.err,
                        path + ":" + std::to_string(line_of(yaml, "idle: 102.1")) + ": desktop.power.idle: ");
  EXPECT_TRUE(Contains(r.err, "has no unit"));
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST_F(Cli, ValidateBadTraceNamesTheTraceLine) {
  const std::string path = write_scenario(dir_, kTinyScenario, "desktop,start,end\nd00,1,2\nd00,1.5,3\n");
  const CliResult r = sim("validate " + q(path));
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r.err, (dir_.path() / "traces/idle.csv").string() + ":3: ");
}

TEST_F(Cli, ValidateBadSetNamesTheSet) {
  const std::string path = write_scenario(dir_, kTinyScenario);
  const CliResult r = sim("validate " + q(path) + " --set desktop.power.idle=fast");
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r.err, "--set desktop.power.idle: ");
}

TEST_F(Cli, ValidateGoodSetExitsZero) {
  const std::string path = write_scenario(dir_, kTinyScenario);
  const CliResult r = sim("validate " + q(path) + " --set desktops.count=3 --set desktop.power.idle=50W");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "3 desktops"));
}

TEST_F(Cli, ValidateMissingFileExitsTwo) {
  const std::string path = (dir_.path() / "absent.yaml").string();
  const CliResult r = sim("validate " + q(path));
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r.err, path + ": ");
}

TEST_F(Cli, UnknownFlagExitsTwo) {
  const std::string path = write_scenario(dir_, kTinyScenario);
  const CliResult r = sim("validate " + q(path) + " --frobnicate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.err.empty());
}

TEST_F(Cli, UnknownSubcommandExitsTwo) {
  const CliResult r = sim("simulate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.err.empty());
}

TEST_F(Cli, NoSubcommandExitsTwo) { EXPECT_EQ(sim("").exit_code, 2); }

TEST_F(Cli, ValidateWithoutScenarioExitsTwo) { EXPECT_EQ(sim("validate").exit_code, 2); }

TEST_F(Cli, HelpExitsZero) {
  const CliResult r = sim("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.out, "validate"));
}

TEST_F(Cli, RunWithBadSetExitsTwoAndWritesNothing) {
  const std::string path = write_scenario(dir_, kTinyScenario);
  const fs::path out = dir_.path() / "out";
  const CliResult r =
      sim("run " + q(path) + " --quiet --out " + q(out.string()) + " --set migration.full.max_rounds=0");
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r.err, "--set migration.full.max_rounds: ");
  EXPECT_FALSE(fs::exists(out / "summary.json"));
  EXPECT_FALSE(fs::exists(out / "periods.csv"));
  EXPECT_FALSE(fs::exists(out / "desktops.csv"));
  EXPECT_FALSE(has_staging(out));
}

TEST_F(Cli, RunWritesOutputsAndLeavesNoStaging) {
  const std::string path = write_scenario(dir_, kTinyScenario);
  const fs::path out = dir_.path() / "out";
  const CliResult r = sim("run " + q(path) + " --quiet --out " + q(out.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  for (const char* name : {"summary.json", "periods.csv", "desktops.csv"}) {
    EXPECT_TRUE(fs::is_regular_file(out / name)) << name;
    EXPECT_GT(fs::file_size(out / name), 0U) << name;
  }
  EXPECT_FALSE(has_staging(out));
  // Whole files: a header and one row per period (2 desktops, 4 periods) or per desktop, per strategy.
  auto lines = [](const std::string& text) { return std::count(text.begin(), text.end(), '\n'); };
  EXPECT_EQ(lines(slurp(out / "periods.csv")), 1 + 4 * 4);
  EXPECT_EQ(lines(slurp(out / "desktops.csv")), 1 + 2 * 4);
  const auto summary = nlohmann::json::parse(slurp(out / "summary.json"), nullptr, false);
  EXPECT_FALSE(summary.is_discarded());
  EXPECT_TRUE(summary.is_object());
}

TEST_F(Cli, FailedRunKeepsThePreviousOutputs) {
  const std::string path = write_scenario(dir_, kTinyScenario);
  const fs::path out = dir_.path() / "out";
  ASSERT_EQ(sim("run " + q(path) + " --quiet --out " + q(out.string())).exit_code, 0);
  const std::string before = slurp(out / "summary.json");
  const CliResult r =
      sim("run " + q(path) + " --quiet --out " + q(out.string()) + " --set desktop.power.idle=-1W");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(slurp(out / "summary.json"), before);
  EXPECT_FALSE(has_staging(out));
}

// show-default's copy runs from any folder (issue 13): it is the default scenario byte for byte but
// for its three trace paths, which name the embedded traces; run from a folder with no traces/ beside
// it, it gives the same periods as the embedded default itself. The copy used to keep
// ../traces/samples/..., relative to scenarios/: exit 2, "no such file", anywhere else.
TEST_F(Cli, ShowDefaultGivesACopyThatRunsFromAnyFolder) {
  const CliResult r = sim("show-default");
  ASSERT_EQ(r.exit_code, 0);
  std::string expected = slurp(fs::path(JETTISON_SOURCE_DIR) / "scenarios/default.yaml");
  for (const char* name : {"office-idle.csv", "pages-windows.csv", "pages-linux.csv"}) {
    const std::string from = std::string(" ../traces/samples/") + name + "\n";
    const auto at = expected.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    expected.replace(at, from.size(), std::string(" embedded:traces/samples/") + name + "\n");
  }
  EXPECT_EQ(r.out, expected);

  dir_.write("elsewhere/my.yaml", r.out);
  const std::string small = " --quiet --set desktops.count=3 --set strategies=[sleep-only,partial]";
  const CliResult copy = sim("run elsewhere/my.yaml --out copy" + small);
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  ASSERT_EQ(sim("run --out embedded" + small).exit_code, 0);
  const std::string periods = slurp(dir_.path() / "copy" / "periods.csv");
  EXPECT_GT(std::count(periods.begin(), periods.end(), '\n'), 10);
  EXPECT_EQ(periods, slurp(dir_.path() / "embedded" / "periods.csv"));
  EXPECT_EQ(sim("validate elsewhere/my.yaml --quiet").exit_code, 0);
}

// The rule names of the README's policy table (## Policies): `| \`sleep.rule\` | \`timeout\`,
// \`break-even\` (...), ... |` -> {"sleep.rule", {"timeout", "break-even", ...}}. A rule is the
// backticked word that begins a comma-separated item outside parentheses (parameters are inside
// them, or after the name).
std::vector<std::pair<std::string, std::vector<std::string>>> readme_policy_rules() {
  std::istringstream readme(slurp(fs::path(JETTISON_SOURCE_DIR) / "README.md"));
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  std::string line;
  bool in_policies = false;
  while (std::getline(readme, line)) {
    if (line.rfind("## ", 0) == 0) in_policies = line == "## Policies";
    if (!in_policies || line.rfind("| `", 0) != 0) continue;
    const auto key_end = line.find('`', 3);
    const std::string key = line.substr(3, key_end - 3);
    if (key == "policy.") continue;  // the table's header row
    const auto col = line.find("| ", key_end) + 2;
    const std::string rules = line.substr(col, line.find(" |", col) - col);
    std::vector<std::string> names;
    int depth = 0;
    bool item_start = true;
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const char c = rules[i];
      if (c == '(') ++depth;
      if (c == ')') --depth;
      if (depth == 0 && c == ',') item_start = true;
      if (depth == 0 && c == '`' && item_start) {
        const auto end = rules.find('`', i + 1);
        names.push_back(rules.substr(i + 1, end - i - 1));
        i = end;
        item_start = false;
      } else if (c != ' ' && c != ',') {
        item_start = false;
      }
    }
    out.emplace_back(key, names);
  }
  return out;
}

// `list` names every policy family of the README's table with its rules, each in its section
// (issue 13: prefetch, resume and trigger rules were missing), beside strategies and solvers.
TEST_F(Cli, ListNamesEveryPolicyFamilyOfTheReadmeWithItsRules) {
  const CliResult r = sim("list");
  ASSERT_EQ(r.exit_code, 0);
  for (const char* name : {"always-on", "sleep-only", "full", "partial"}) {
    EXPECT_TRUE(Contains(r.out, std::string("\n  ") + name + " ")) << name;
  }
  const auto families = readme_policy_rules();
  ASSERT_EQ(families.size(), 4U);  // sleep.rule, prefetch.rule, resume.pages, trigger.rule
  for (const auto& [key, rules] : families) {
    ASSERT_GE(rules.size(), 2U) << key;
    const auto heading = r.out.find("(policy." + key + "):\n");
    ASSERT_NE(heading, std::string::npos) << key << " has no section in:\n" << r.out;
    const auto next = r.out.find(":\n", r.out.find('\n', heading) + 1);
    const auto next_heading = next == std::string::npos ? r.out.size() : r.out.rfind('\n', next);
    const std::string section = r.out.substr(heading, next_heading - heading);
    for (const std::string& rule : rules) {
      EXPECT_TRUE(Contains(section, "\n  " + rule + " ")) << key << ": " << rule << " not in\n" << section;
    }
  }
}

// --- what yaml-cpp lets through, and what only the run used to reject (issue 14) --------------------

TEST_F(Cli, NonScalarKeyExitsTwoNamingFileAndLine) {
  // Was exit 1 with "yaml-cpp: error at line 8, column 1: bad conversion".
  const std::string yaml = replaced(kTinyScenario, "seed: 7\n", "seed: 7\n[a, b]: 1\n");
  const std::string path = write_scenario(dir_, yaml);
  const CliResult r = sim("validate " + q(path));
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r.err, path + ":" + std::to_string(line_of(yaml, "[a, b]: 1")) +
                                   ": keys must be plain words, not a sequence");
}

TEST_F(Cli, DuplicateKeyExitsTwoNamingBothLines) {
  const std::string yaml = replaced(kTinyScenario, "    idle: 102.1W\n", "    idle: 102.1W\n    idle: 99W\n");
  const std::string path = write_scenario(dir_, yaml);
  const CliResult r = sim("validate " + q(path));
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r.err, path + ":" + std::to_string(line_of(yaml, "idle: 99W")) +
                                   ": desktop.power.idle: key 'idle' given twice (first at line " +
                                   std::to_string(line_of(yaml, "idle: 102.1W")) + ")");
}

TEST_F(Cli, NameNotUtf8IsRejectedByValidateAndRunAlike) {
  // validate passed it; run then exited 1 and left an empty output folder.
  const std::string yaml = replaced(kTinyScenario, "name: tiny\n", "name: tiny\xff\n");
  const std::string path = write_scenario(dir_, yaml);
  const std::string origin = path + ":" + std::to_string(line_of(yaml, "name: tiny")) + ": name: ";
  const CliResult v = sim("validate " + q(path));
  EXPECT_EQ(v.exit_code, 2);
  expect_one_error_line(v.err, origin);
  EXPECT_TRUE(Contains(v.err, "not valid UTF-8"));
  const CliResult r = sim("run --quiet " + q(path));  // default output folder results/<name>
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r.err, origin);
  EXPECT_FALSE(fs::exists(dir_.path() / "results")) << "the run created its output folder";
}

TEST_F(Cli, NameThatIsNotAFolderNameIsRejectedByValidate) {
  const std::string yaml = replaced(kTinyScenario, "name: tiny\n", "name: ../../escape\n");
  const std::string path = write_scenario(dir_, yaml);
  const CliResult r = sim("validate " + q(path));
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r.err, path + ":" + std::to_string(line_of(yaml, "name: ../../escape")) + ": name: ");
}

TEST_F(Cli, EveryErrorOfAScenarioOnItsOwnLineInFileOrder) {
  std::string yaml = replaced(kTinyScenario, "seed: 7\n", "seed: 7\ncolour: blue\n");
  yaml = replaced(yaml, "    asleep: 1.2W\n", "    asleep: 1.2\n");
  yaml = replaced(yaml, "    timeout: 10s\n", "    timeout: 10s\n    trsut: 0.5\n");
  const std::string path = write_scenario(dir_, yaml);
  const CliResult r = sim("validate " + q(path));
  EXPECT_EQ(r.exit_code, 2);
  const std::string expected_start = "jettison-sim: error: " + path + ":" +
                                     std::to_string(line_of(yaml, "colour")) +
                                     ": colour: unknown key 'colour'";
  EXPECT_EQ(r.err.rfind(expected_start, 0), 0U) << r.err;
  const std::size_t asleep = r.err.find("\n" + path + ":" + std::to_string(line_of(yaml, "asleep: 1.2")) +
                                        ": desktop.power.asleep: ");
  const std::size_t trust = r.err.find("\n" + path + ":" + std::to_string(line_of(yaml, "trsut")) +
                                       ": policy.sleep.trsut: unknown key 'trsut'");
  EXPECT_NE(asleep, std::string::npos) << r.err;
  EXPECT_NE(trust, std::string::npos) << r.err;
  EXPECT_LT(asleep, trust) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 3) << r.err;
}

}  // namespace
}  // namespace jettison::testing
