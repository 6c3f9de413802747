// --replicates K: each combination of grid values runs K times with seeds S, S+1, ..., S+K-1 (the
// replicate varying fastest); the flag's errors, the folders, and the seed override of each point.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/input_error.hpp"
#include "sim/sweep/grid.hpp"
#include "sim/sweep/point_folder.hpp"

namespace jettison::sim {
namespace {

using Strings = std::vector<std::string>;

// "origin: message" of the InputError `f` throws ("" when it throws none).
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Replicates, EachCombinationRunsKTimesReplicateFastest) {
  Grid g = parse_grid({"migration.migrate_after=5min,10min"});
  set_replicates(g, "3");
  g.first_seed = 42;
  // 2 values x 3 replicates = 6 points: point p is value p / 3, replicate p % 3, seed 42 + p % 3.
  ASSERT_EQ(g.size(), 6U);
  EXPECT_EQ(g.overrides(0), (Strings{"migration.migrate_after=5min", "seed=42"}));
  EXPECT_EQ(g.overrides(2), (Strings{"migration.migrate_after=5min", "seed=44"}));
  EXPECT_EQ(g.overrides(3), (Strings{"migration.migrate_after=10min", "seed=42"}));
  EXPECT_EQ(g.overrides(5), (Strings{"migration.migrate_after=10min", "seed=44"}));
  EXPECT_EQ(g.values(4), (Strings{"10min"}));
  EXPECT_EQ(g.combination(4), 1U);
  EXPECT_EQ(g.replicate(4), 1U);
  EXPECT_EQ(g.seed(4), 43U);
  EXPECT_EQ(point_folder(g, 4), "004-migration.migrate_after=10min,seed=43");
}

TEST(Replicates, WithoutAxesThePointsAreTheReplicates) {
  Grid g = parse_grid({});
  set_replicates(g, "2");
  g.first_seed = 7;
  ASSERT_EQ(g.size(), 2U);
  EXPECT_EQ(g.overrides(1), (Strings{"seed=8"}));
  EXPECT_EQ(point_folder(g, 1), "001-seed=8");
}

TEST(Replicates, TheSeedSurvivesALongFolderNamesCut) {
  Grid g = parse_grid({"about.title=" + std::string(200, 'x')});
  set_replicates(g, "2");
  g.first_seed = 5;
  const std::string name = point_folder(g, 1);
  EXPECT_EQ(name.size(), kMaxFolderName);
  EXPECT_EQ(name.substr(name.size() - 7), ",seed=6");
}

TEST(Replicates, BadCountsNameTheFlag) {
  for (const std::string bad : {"0", "00", "-1", "2.5", "abc", "", "3x", "1001", "99999999999999999999"}) {
    Grid g = parse_grid({"seedless=1"});
    const std::string e = error_of([&] { set_replicates(g, bad); });
    EXPECT_EQ(e.rfind("--replicates: ", 0), 0U) << "'" << bad << "': " << e;
    EXPECT_EQ(g.replicates, 0U) << bad;
  }
  Grid g = parse_grid({});
  EXPECT_EQ(error_of([&] { set_replicates(g, "0"); }), "--replicates: must be at least 1");
  EXPECT_EQ(error_of([&] { set_replicates(g, "2.5"); }),
            "--replicates: '2.5' is not a whole number of replicates (1 to 1000)");
}

TEST(Replicates, RefusedWithAGridOverTheSeed) {
  Grid g = parse_grid({"seed=1,2,3"});
  EXPECT_EQ(error_of([&] { set_replicates(g, "2"); }).rfind("--replicates: cannot go with --grid seed=", 0),
            0U);
}

TEST(Replicates, AtMostTenThousandPointsInAll) {
  Grid g = parse_grid({"a=" + std::string("1,2,3,4,5,6,7,8,9,10")});
  set_replicates(g, "1000");  // 10 x 1000 = 10000: the most
  EXPECT_EQ(g.size(), 10000U);
  Grid h = parse_grid({"a=1,2,3,4,5,6,7,8,9,10,11"});
  EXPECT_EQ(error_of([&] { set_replicates(h, "1000"); }),
            "--replicates: 1000 replicates of 11 points are more than 10000 points");
}

}  // namespace
}  // namespace jettison::sim
