// --grid parsing (values with brackets and quotes, errors) and the cartesian product's order.
#include "sim/sweep/grid.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/input_error.hpp"

namespace jettison::sim {
namespace {

using Values = std::vector<std::string>;

// "0,1,...,n-1"
std::string numbers(int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(i);
  return fmt::format("{}", fmt::join(v, ","));
}

// The message of the InputError `f` throws ("" when it throws none).
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(GridValues, SplitsAtCommas) {
  EXPECT_EQ(split_grid_values("10s,30s,2min", "o"), (Values{"10s", "30s", "2min"}));
  EXPECT_EQ(split_grid_values("one", "o"), (Values{"one"}));
  EXPECT_EQ(split_grid_values(" a , b ", "o"), (Values{"a", "b"}));
}

TEST(GridValues, KeepsCommasInsideBracketsBracesAndQuotes) {
  EXPECT_EQ(split_grid_values("[full,partial],[always-on]", "o"), (Values{"[full,partial]", "[always-on]"}));
  EXPECT_EQ(split_grid_values("{a: 1, b: [2, 3]},x", "o"), (Values{"{a: 1, b: [2, 3]}", "x"}));
  EXPECT_EQ(split_grid_values("[[1,2],[3]],4", "o"), (Values{"[[1,2],[3]]", "4"}));
  EXPECT_EQ(split_grid_values("'a,b',\"c,d\",e", "o"), (Values{"'a,b'", "\"c,d\"", "e"}));
  EXPECT_EQ(split_grid_values("'it''s,x',y", "o"), (Values{"'it''s,x'", "y"}));
  EXPECT_EQ(split_grid_values("\"q\\\",r\",s", "o"), (Values{"\"q\\\",r\"", "s"}));
  EXPECT_EQ(split_grid_values("'[',x", "o"), (Values{"'['", "x"}));
}

TEST(GridValues, RejectsEmptyValuesAndUnbalancedBrackets) {
  EXPECT_EQ(error_of([] { split_grid_values("a,,b", "--grid k"); }), "--grid k: value 2 is empty");
  EXPECT_EQ(error_of([] { split_grid_values("a,", "--grid k"); }), "--grid k: value 2 is empty");
  EXPECT_EQ(error_of([] { split_grid_values("[a,b", "--grid k"); }), "--grid k: '[a,b' lacks a closing ']'");
  EXPECT_EQ(error_of([] { split_grid_values("a],b", "--grid k"); }),
            "--grid k: unbalanced ']' at character 2 of 'a],b'");
  EXPECT_EQ(error_of([] { split_grid_values("[a}", "--grid k"); }),
            "--grid k: unbalanced '}' at character 3 of '[a}'");
  EXPECT_EQ(error_of([] { split_grid_values("'a,b", "--grid k"); }), "--grid k: unclosed ' quote in ''a,b'");
}

TEST(GridAxis, ParsesKeyAndValues) {
  const GridAxis a = parse_grid_axis("policy.sleep.timeout=10s,30s");
  EXPECT_EQ(a.key, "policy.sleep.timeout");
  EXPECT_EQ(a.values, (Values{"10s", "30s"}));
  EXPECT_EQ(parse_grid_axis("strategies=[full,partial]").values, (Values{"[full,partial]"}));
  EXPECT_EQ(parse_grid_axis("k=a=b").values, (Values{"a=b"}));  // the first '=' ends the key
}

TEST(GridAxis, RejectsMissingEqualsKeyOrValues) {
  EXPECT_EQ(error_of([] { parse_grid_axis("policy.sleep.timeout"); }),
            "--grid policy.sleep.timeout: expected key.path=value1,value2,...");
  EXPECT_EQ(error_of([] { parse_grid_axis("=1,2"); }), "--grid =1,2: expected key.path=value1,value2,...");
  EXPECT_EQ(error_of([] { parse_grid_axis("seed="); }), "--grid seed: no values after '='");
  EXPECT_EQ(error_of([] { parse_grid_axis("seed= "); }), "--grid seed: no values after '='");
}

TEST(Grid, RejectsAKeyGivenTwiceOrAlsoSet) {
  EXPECT_EQ(error_of([] {
              parse_grid({"seed=1,2", "desktops.count=3", "seed=3"});
            }),
            "--grid seed: the key is given twice; list all its values in one --grid");
  EXPECT_EQ(error_of([] {
              parse_grid({"seed=1,2"}, {"desktops.count=3", "seed=7"});
            }),
            "--grid seed: the key is also fixed by --set seed=7; drop one of them");
}

TEST(Grid, RejectsMoreThanTenThousandPoints) {
  const std::string hundred = numbers(100);
  EXPECT_EQ(parse_grid({"a=" + hundred, "b=" + hundred}).size(), 10000U);  // exactly the limit is fine
  EXPECT_EQ(error_of([&] {
              parse_grid({"a=" + hundred, "b=" + hundred, "c=x,y"});
            }),
            "--grid c: the grid has more than 10000 points (10000 so far, times 2 values here)");
  EXPECT_EQ(error_of([&] {
              parse_grid({"a=" + hundred, "b=" + hundred + ",100"});
            }),
            "--grid b: the grid has more than 10000 points (100 so far, times 101 values here)");
}

TEST(Grid, CartesianProductFirstKeyVariesSlowest) {
  const Grid g = parse_grid({"a=1,2", "b=x,y,z", "c=[p,q]"});
  ASSERT_EQ(g.size(), 6U);
  const std::vector<Values> expected = {{"1", "x", "[p,q]"}, {"1", "y", "[p,q]"}, {"1", "z", "[p,q]"},
                                        {"2", "x", "[p,q]"}, {"2", "y", "[p,q]"}, {"2", "z", "[p,q]"}};
  for (std::size_t p = 0; p < g.size(); ++p) EXPECT_EQ(g.values(p), expected[p]) << p;
  EXPECT_EQ(g.coordinates(4), (std::vector<std::size_t>{1, 1, 0}));
  EXPECT_EQ(g.overrides(5), (Values{"a=2", "b=z", "c=[p,q]"}));
}

TEST(Grid, SameFlagsSameOrder) {
  const Grid a = parse_grid({"b=3,1,2", "a=z,y"});
  const Grid b = parse_grid({"b=3,1,2", "a=z,y"});
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t p = 0; p < a.size(); ++p) EXPECT_EQ(a.overrides(p), b.overrides(p));
  EXPECT_EQ(a.values(0), (Values{"3", "z"}));  // values keep the order given, unsorted
}

TEST(Grid, NoAxesIsOnePoint) {
  const Grid g = parse_grid({});
  EXPECT_EQ(g.size(), 1U);
  EXPECT_TRUE(g.overrides(0).empty());
}

}  // namespace
}  // namespace jettison::sim
