// sim/scenario/proxy_loader: `proxy:` with its defaults, every key read with its unit, and each bad
// value an InputError naming the file, the line and the key.
#include <gtest/gtest.h>

#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/input/input_test_support.hpp"

namespace jettison::sim {
namespace {

using jettison::testing::Contains;
using jettison::testing::input_error;
using jettison::testing::kTinyScenario;
using jettison::testing::line_of;
using jettison::testing::TempDir;
using jettison::testing::write_scenario;

class ProxyLoader : public ::testing::Test {
 protected:
  Scenario load(const std::string& proxy_section) {
    yaml_ = kTinyScenario + proxy_section;
    path_ = write_scenario(dir_, yaml_);
    return load_scenario(path_);
  }
  // The error of a scenario whose `proxy:` holds `line` (one key per line), with its origin checked.
  std::string error_at(const std::string& line, const std::string& key) {
    const auto e = input_error([&] { load("proxy:\n  " + line + "\n"); });
    EXPECT_EQ(e.origin, path_ + ":" + std::to_string(line_of(yaml_, line)) + ": proxy." + key) << e.what;
    return e.what;
  }

  TempDir dir_;
  std::string yaml_;
  std::string path_;
};

TEST_F(ProxyLoader, DefaultsWithoutTheSection) {
  const Scenario s = load("");
  EXPECT_EQ(s.proxy.power.watts(), 3.0);
  EXPECT_EQ(s.proxy.wakes_per_hour, 2.0);
  EXPECT_EQ(s.proxy.awake.us(), 30'000'000);
  EXPECT_EQ(s.proxy.arrivals, ProxyArrivals::kPoisson);
  EXPECT_EQ(s.proxy.mean_gap().us(), 1'800'000'000);  // 3600 s / 2
}

TEST_F(ProxyLoader, ReadsEveryKeyWithItsUnit) {
  const Scenario s = load("proxy: {power: 1.5W, wake_rate: 0.5/min, awake: 2min, arrivals: periodic}\n");
  EXPECT_EQ(s.proxy.power.watts(), 1.5);
  EXPECT_EQ(s.proxy.wakes_per_hour, 30.0);  // 0.5/min x 60
  EXPECT_EQ(s.proxy.awake.us(), 120'000'000);
  EXPECT_EQ(s.proxy.arrivals, ProxyArrivals::kPeriodic);
  EXPECT_EQ(s.proxy.mean_gap().us(), 120'000'000);  // 3600 s / 30
  EXPECT_EQ(load("proxy: {wake_rate: 0.001/s}\n").proxy.wakes_per_hour, 3.6);
  EXPECT_EQ(load("proxy: {wake_rate: 0/h}\n").proxy.mean_gap(), Duration::max());  // no requests
}

TEST_F(ProxyLoader, BadValuesNameFileLineAndKey) {
  EXPECT_TRUE(Contains(error_at("wake_rate: 2", "wake_rate"), "has no unit"));
  EXPECT_TRUE(Contains(error_at("wake_rate: 2/week", "wake_rate"), "unknown unit '/week'"));
  EXPECT_TRUE(Contains(error_at("wake_rate: -1/h", "wake_rate"), "must not be negative"));
  EXPECT_TRUE(Contains(error_at("wake_rate: many/h", "wake_rate"), "is not a rate"));
  EXPECT_TRUE(Contains(error_at("wake_rate: 2/s", "wake_rate"), "more than one wake-up a second"));
  EXPECT_FALSE(error_at("power: 5", "power").empty());
  EXPECT_FALSE(error_at("awake: 30", "awake").empty());
  EXPECT_TRUE(Contains(error_at("arrivals: bursty", "arrivals"), "not one of: poisson, periodic"));
}

TEST_F(ProxyLoader, UnknownKeyIsRefused) {
  const auto e = input_error([&] { load("proxy: {power: 5W, wakes: 2/h}\n"); });
  EXPECT_TRUE(Contains(e.origin + e.what, "wakes")) << e.origin << " " << e.what;
}

}  // namespace
}  // namespace jettison::sim
