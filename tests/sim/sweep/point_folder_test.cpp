// Point folder names: index first, readable key=value pairs, nothing unsafe in a file name.
#include "sim/sweep/point_folder.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "sim/sweep/grid.hpp"

namespace jettison::sim {
namespace {

TEST(PointFolder, IndexThenKeyValuePairs) {
  const Grid g = parse_grid({"policy.sleep.timeout=10s,60s", "desktops.count=3,5"});
  EXPECT_EQ(point_folder(g, 0), "000-policy.sleep.timeout=10s,desktops.count=3");
  EXPECT_EQ(point_folder(g, 3), "003-policy.sleep.timeout=60s,desktops.count=5");
}

TEST(PointFolder, IndexWidthGrowsWithThePointCount) {
  std::vector<int> values;
  for (int i = 0; i < 1500; ++i) values.push_back(i);
  const Grid g = parse_grid({fmt::format("seed={}", fmt::join(values, ","))});
  EXPECT_EQ(point_folder(g, 7), "0007-seed=7");
  EXPECT_EQ(point_folder(g, 1499), "1499-seed=1499");
}

TEST(PointFolder, ValuesAreMadeSafe) {
  EXPECT_EQ(folder_safe("[full,partial]"), "full+partial");
  EXPECT_EQ(folder_safe("{idle: 60W, asleep: 1W}"), "idle_60W+asleep_1W");
  EXPECT_EQ(folder_safe("a/b\\c"), "a_b_c");
  EXPECT_EQ(folder_safe("'quoted value'"), "quoted_value");
  EXPECT_EQ(folder_safe("../../etc"), ".._.._etc");
  EXPECT_EQ(folder_safe("[]"), "_");
  EXPECT_EQ(folder_safe("x   y"), "x_y");
  const Grid g = parse_grid({"strategies=[always-on,partial],[full]"});
  EXPECT_EQ(point_folder(g, 0), "000-strategies=always-on+partial");
  EXPECT_EQ(point_folder(g, 1), "001-strategies=full");
}

TEST(PointFolder, NamesAreUniqueSafeAndShort) {
  const std::string long_value = "[" + std::string(300, 'x') + "]";
  const Grid g = parse_grid({"a=" + long_value + ",'/',\"/\"", "b=..,."});
  std::set<std::string> seen;
  for (std::size_t p = 0; p < g.size(); ++p) {
    const std::string name = point_folder(g, p);
    EXPECT_LE(name.size(), kMaxFolderName);
    EXPECT_EQ(name.find('/'), std::string::npos) << name;
    EXPECT_NE(name[0], '.') << name;
    EXPECT_TRUE(seen.insert(name).second) << name;
  }
}

}  // namespace
}  // namespace jettison::sim
