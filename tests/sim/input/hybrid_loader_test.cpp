// sim/scenario/hybrid_loader: `migration.hybrid` is read with its units, defaults when absent, and
// every bad value or key is an InputError naming the file, the line and the key path.
#include <gtest/gtest.h>

#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/input/input_test_support.hpp"

namespace jettison::sim {
namespace {

using jettison::testing::CaughtInputError;
using jettison::testing::Contains;
using jettison::testing::input_error;
using jettison::testing::kTinyScenario;
using jettison::testing::line_of;
using jettison::testing::replaced;
using jettison::testing::TempDir;
using jettison::testing::write_scenario;

// kTinyScenario with `block` (lines of `migration:`) before reintegration_setup.
std::string with_hybrid(const std::string& block) {
  return replaced(kTinyScenario, "  reintegration_setup: 1s\n", block + "  reintegration_setup: 1s\n");
}

class HybridLoader : public ::testing::Test {
 protected:
  Scenario load(const std::string& yaml) { return load_scenario(write_scenario(dir_, yaml)); }
  CaughtInputError load_error(const std::string& yaml) {
    yaml_ = yaml;
    path_ = write_scenario(dir_, yaml);
    return input_error([&] { load_scenario(path_); });
  }
  std::string at(const std::string& needle, const std::string& key_path) const {
    return path_ + ":" + std::to_string(line_of(yaml_, needle)) + ": " + key_path;
  }

  TempDir dir_;
  std::string yaml_;
  std::string path_;
};

TEST_F(HybridLoader, ReadsBothKeysWithUnits) {
  const Scenario s = load(with_hybrid("  hybrid:\n    after: 45min\n    rate: 200Mbps\n"));
  EXPECT_EQ(s.migration.hybrid.after.us(), 45LL * 60 * 1'000'000);
  EXPECT_EQ(s.migration.hybrid.rate.bits_per_second(), 200e6);
}

TEST_F(HybridLoader, DefaultsWhenAbsent) {
  const Scenario s = load(kTinyScenario);
  EXPECT_EQ(s.migration.hybrid.after.us(), 30LL * 60 * 1'000'000);
  EXPECT_EQ(s.migration.hybrid.rate.bits_per_second(), 100e6);
}

TEST_F(HybridLoader, HybridIsAStrategyName) {
  const Scenario s = load(replaced(kTinyScenario, "full, partial]", "full, partial, hybrid]"));
  EXPECT_EQ(s.strategies.back(), "hybrid");
}

TEST_F(HybridLoader, AfterWithoutUnitNamesTheKey) {
  const auto e = load_error(with_hybrid("  hybrid:\n    after: 30\n    rate: 100Mbps\n"));
  EXPECT_EQ(e.origin, at("after: 30", "migration.hybrid.after"));
}

TEST_F(HybridLoader, RateWithoutUnitNamesTheKey) {
  const auto e = load_error(with_hybrid("  hybrid:\n    after: 30min\n    rate: 100\n"));
  EXPECT_EQ(e.origin, at("rate: 100", "migration.hybrid.rate"));
}

TEST_F(HybridLoader, ZeroRateIsRefused) {
  const auto e = load_error(with_hybrid("  hybrid:\n    after: 30min\n    rate: 0Mbps\n"));
  EXPECT_EQ(e.origin, at("rate: 0Mbps", "migration.hybrid.rate"));
  EXPECT_TRUE(Contains(e.what, "must be more than 0 bps"));
}

TEST_F(HybridLoader, UnknownKeyIsNamed) {
  const auto e = load_error(with_hybrid("  hybrid:\n    after: 30min\n    rate: 100Mbps\n    burst: 1\n"));
  EXPECT_EQ(e.origin, at("burst: 1", "migration.hybrid.burst"));
  EXPECT_TRUE(Contains(e.what, "unknown key 'burst'"));
}

TEST_F(HybridLoader, MissingRateIsNamed) {
  const auto e = load_error(with_hybrid("  hybrid:\n    after: 30min\n"));
  EXPECT_TRUE(Contains(e.origin, "migration.hybrid"));
  EXPECT_TRUE(Contains(e.what, "rate"));
}

}  // namespace
}  // namespace jettison::sim
