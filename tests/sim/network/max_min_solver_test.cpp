// Max-min progressive filling on hand-checkable problems.
#include "sim/network/max_min_solver.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "sim/network/sharing_solver.hpp"

namespace jettison::sim::net {
namespace {

SharingSolution solve(const std::vector<double>& caps, const std::vector<std::vector<ResourceId>>& routes,
                      const std::vector<std::uint32_t>& counts) {
  SharingProblem p;
  p.capacity = caps;
  for (std::size_t i = 0; i < routes.size(); ++i) p.add(routes[i], counts[i]);
  SharingSolution s;
  MaxMinSolver solver;
  solver.solve(p, s);
  return s;
}

TEST(MaxMinSolver, EqualFlowsThroughOneBottleneckShareEqually) {
  // 4 flows on one resource of 100: progressive filling raises all to 100 / 4 = 25.
  const auto s = solve({100.0}, {{0}, {0}, {0}, {0}}, {1, 1, 1, 1});
  for (double r : s.rate) EXPECT_DOUBLE_EQ(r, 25.0);
  for (ResourceId b : s.bottleneck) EXPECT_EQ(b, 0u);
}

TEST(MaxMinSolver, TwoBottlenecksGiveUnequalRates) {
  // A (0) cap 10: f1, f2; B (1) cap 4: f2, f3. Fair shares: A 10/2 = 5, B 4/2 = 2. B saturates first:
  // f2 = f3 = 2. A keeps 10 - 2 = 8 for f1 alone: f1 = 8.
  const auto s = solve({10.0, 4.0}, {{0}, {0, 1}, {1}}, {1, 1, 1});
  EXPECT_DOUBLE_EQ(s.rate[0], 8.0);
  EXPECT_DOUBLE_EQ(s.rate[1], 2.0);
  EXPECT_DOUBLE_EQ(s.rate[2], 2.0);
  EXPECT_EQ(s.bottleneck[0], 0u);
  EXPECT_EQ(s.bottleneck[1], 1u);
  EXPECT_EQ(s.bottleneck[2], 1u);
}

TEST(MaxMinSolver, ClassCountsActLikeThatManyFlows) {
  // Same as above with 3 flows like f2 (class count 3): B has 4 flows: 4/4 = 1 each (f2 x3, f3).
  // A: 10 - 3 x 1 = 7 for f1.
  const auto s = solve({10.0, 4.0}, {{0}, {0, 1}, {1}}, {1, 3, 1});
  EXPECT_DOUBLE_EQ(s.rate[0], 7.0);
  EXPECT_DOUBLE_EQ(s.rate[1], 1.0);
  EXPECT_DOUBLE_EQ(s.rate[2], 1.0);
}

TEST(MaxMinSolver, ParkingLot) {
  // Links 0, 1, 2 of cap 6; a long flow crosses all three, one short flow per link, and link 2 has a
  // second short flow. Link 2: 6 / 3 = 2 (long and its two short flows). Links 0, 1: 6 - 2 = 4 each
  // for their short flow.
  const auto s = solve({6.0, 6.0, 6.0}, {{0, 1, 2}, {0}, {1}, {2}, {2}}, {1, 1, 1, 1, 1});
  EXPECT_DOUBLE_EQ(s.rate[0], 2.0);
  EXPECT_DOUBLE_EQ(s.rate[1], 4.0);
  EXPECT_DOUBLE_EQ(s.rate[2], 4.0);
  EXPECT_DOUBLE_EQ(s.rate[3], 2.0);
  EXPECT_DOUBLE_EQ(s.rate[4], 2.0);
}

TEST(SharingSolvers, RegistryListsMaxMinWithADescription) {
  const auto* e = sharing_solvers().find("max-min");
  ASSERT_NE(e, nullptr);
  EXPECT_FALSE(e->description.empty());
  EXPECT_TRUE(e->make()->bottleneck_characterised());
  EXPECT_EQ(sharing_solvers().find("nope"), nullptr);
}

}  // namespace
}  // namespace jettison::sim::net
