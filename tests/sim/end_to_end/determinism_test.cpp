// Same scenario, same seed: byte-identical outputs apart from wall_seconds, whatever the number of
// threads. Runs the CLI on the embedded default scenario (a small slice of it, to stay quick).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "tests/support/csv_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using jettison::testing::slurp;

int run_sim(const std::string& args) {
  const std::string cmd = std::string(JETTISON_SIM_BINARY) + " run --quiet " + args;
  return std::system(cmd.c_str());
}

TEST(Determinism, SameScenarioSameSeedGivesIdenticalFiles) {
  jettison::testing::TempDir dir;
  const std::string common = "--set desktops.count=6 ";
  ASSERT_EQ(run_sim(common + "--threads 1 --out " + (dir.path() / "a").string()), 0);
  ASSERT_EQ(run_sim(common + "--threads 2 --out " + (dir.path() / "b").string()), 0);
  for (const char* f : {"periods.csv", "desktops.csv"}) {
    const std::string a = slurp(dir.path() / "a" / f);
    EXPECT_GT(a.size(), 1000U) << f;
    EXPECT_EQ(a, slurp(dir.path() / "b" / f)) << f;
  }
  const std::regex wall("\"wall_seconds\": [0-9.e+-]+");
  const std::string sa = std::regex_replace(slurp(dir.path() / "a" / "summary.json"), wall, "");
  const std::string sb = std::regex_replace(slurp(dir.path() / "b" / "summary.json"), wall, "");
  EXPECT_NE(sa.find("\"partial\""), std::string::npos);
  EXPECT_EQ(sa, sb);
}

TEST(Determinism, AnotherSeedChangesRandomAssignment) {
  // With `assign: random` the profile each desktop gets comes from its seeded stream.
  jettison::testing::TempDir dir;
  const std::string common = "--set page_traces.assign=random --set strategies=[partial] ";
  ASSERT_EQ(run_sim(common + "--set seed=1 --out " + (dir.path() / "a").string()), 0);
  ASSERT_EQ(run_sim(common + "--set seed=1 --out " + (dir.path() / "b").string()), 0);
  ASSERT_EQ(run_sim(common + "--set seed=2 --out " + (dir.path() / "c").string()), 0);
  EXPECT_EQ(slurp(dir.path() / "a" / "desktops.csv"), slurp(dir.path() / "b" / "desktops.csv"));
  EXPECT_NE(slurp(dir.path() / "a" / "desktops.csv"), slurp(dir.path() / "c" / "desktops.csv"));
}

}  // namespace
