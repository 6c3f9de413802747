// ServerPowerModel: linear and SPECpower-table draws at hand-computed utilisations, and the checks.
#include "sim/model/server_power.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace jettison::sim {
namespace {

Power w(double watts) { return Power::watts(watts); }

TEST(ServerPowerModel, LinearBetweenIdleAndMax) {
  const auto m = ServerPowerModel::linear(w(100), w(250));
  // 100 + (250 - 100) x 0.3 = 145 W.
  EXPECT_DOUBLE_EQ(m.at(0.3).watts(), 145.0);
  // 100 + 150 x 0.55 = 182.5 W.
  EXPECT_DOUBLE_EQ(m.at(0.55).watts(), 182.5);
  EXPECT_DOUBLE_EQ(m.at(0.0).watts(), 100.0);
  EXPECT_DOUBLE_EQ(m.at(1.0).watts(), 250.0);
  EXPECT_DOUBLE_EQ(m.idle().watts(), 100.0);
  EXPECT_DOUBLE_EQ(m.max().watts(), 250.0);
}

TEST(ServerPowerModel, UtilisationIsClampedToZeroOne) {
  const auto m = ServerPowerModel::linear(w(100), w(250));
  EXPECT_DOUBLE_EQ(m.at(-0.5).watts(), 100.0);
  EXPECT_DOUBLE_EQ(m.at(1.7).watts(), 250.0);
}

// CloudSim's HP ProLiant ML110 G4 table (PowerModelSpecPowerHpProLiantMl110G4Xeon3040).
const ServerPowerModel::Table kMl110G4{w(86),  w(89.4), w(92.6), w(96),  w(99.5), w(102),
                                       w(106), w(108),  w(112),  w(114), w(117)};

TEST(ServerPowerModel, TableInterpolatesBetweenTenPercentPoints) {
  const auto m = ServerPowerModel::table(kMl110G4);
  // 0.25 is halfway between 20% (92.6 W) and 30% (96 W): 92.6 + (96 - 92.6) x 0.5 = 94.3 W.
  EXPECT_NEAR(m.at(0.25).watts(), 94.3, 1e-9);
  // 0.95: halfway between 90% (114 W) and 100% (117 W): 115.5 W.
  EXPECT_NEAR(m.at(0.95).watts(), 115.5, 1e-9);
  // 0.72: 70% (108 W) + (112 - 108) x 0.2 = 108.8 W.
  EXPECT_NEAR(m.at(0.72).watts(), 108.8, 1e-9);
  // On the points themselves: the table's values.
  EXPECT_NEAR(m.at(0.2).watts(), 92.6, 1e-9);
  EXPECT_DOUBLE_EQ(m.at(0.0).watts(), 86.0);
  EXPECT_DOUBLE_EQ(m.at(1.0).watts(), 117.0);
  EXPECT_DOUBLE_EQ(m.at(2.0).watts(), 117.0);
}

TEST(ServerPowerModel, CheckTable) {
  EXPECT_FALSE(ServerPowerModel::check_table(kMl110G4).has_value());
  ServerPowerModel::Table flat;
  flat.fill(w(0));
  EXPECT_FALSE(ServerPowerModel::check_table(flat).has_value());  // non-decreasing allows equal

  ServerPowerModel::Table negative = kMl110G4;
  negative[0] = w(-1);
  EXPECT_EQ(ServerPowerModel::check_table(negative),
            "power at 0% utilisation must be a non-negative number of watts, got -1");
  ServerPowerModel::Table decreasing = kMl110G4;
  decreasing[5] = w(90);
  EXPECT_EQ(ServerPowerModel::check_table(decreasing),
            "power must not decrease with utilisation: 99.5 W at 40% but 90 W at 50%");
  ServerPowerModel::Table nan = kMl110G4;
  nan[10] = w(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(ServerPowerModel::check_table(nan),
            "power at 100% utilisation must be a non-negative number of watts, got nan");
}

TEST(ServerPowerModel, CheckLinear) {
  EXPECT_FALSE(ServerPowerModel::check_linear(w(100), w(250)).has_value());
  EXPECT_FALSE(ServerPowerModel::check_linear(w(100), w(100)).has_value());
  EXPECT_EQ(ServerPowerModel::check_linear(w(250), w(100)),
            "max power (100 W) must not be below idle power (250 W)");
  EXPECT_EQ(ServerPowerModel::check_linear(w(-1), w(100)),
            "idle power must be a non-negative number of watts, got -1");
  EXPECT_EQ(ServerPowerModel::check_linear(w(1), w(std::numeric_limits<double>::infinity())),
            "max power must be a non-negative number of watts, got inf");
}

TEST(ServerPowerModelDeathTest, NonFiniteUtilisationIsABug) {
  const auto m = ServerPowerModel::linear(w(100), w(250));
  EXPECT_DEATH((void)m.at(std::numeric_limits<double>::quiet_NaN()), "isfinite");
}

}  // namespace
}  // namespace jettison::sim
