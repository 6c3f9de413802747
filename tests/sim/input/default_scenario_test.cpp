// The compiled-in default scenario loads without any file on disk.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sim/embedded/embedded_files.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace jettison::sim {
namespace {

TEST(DefaultScenario, LoadsFromTheEmbeddedFiles) {
  const Scenario s = load_scenario(kDefaultScenario);
  EXPECT_EQ(s.name, "office-default");
  EXPECT_EQ(s.source, kDefaultScenario);
  EXPECT_EQ(s.desktops.size(), 20U);
  EXPECT_EQ(s.strategies, (std::vector<std::string>{"always-on", "sleep-only", "full", "partial"}));
  ASSERT_EQ(s.profiles.size(), 2U);
  EXPECT_EQ(s.profiles[0].name, "windows");
  EXPECT_EQ(s.profiles[1].name, "linux");
  EXPECT_EQ(s.idle_trace.path, "embedded:traces/samples/office-idle.csv");
  EXPECT_EQ(s.page_size.count(), 4096U);
  EXPECT_DOUBLE_EQ(s.desktops[0].power()[PowerState::kIdle].watts(), 102.1);
  EXPECT_EQ(s.desktops[0].vm_memory().count(), 4ULL << 30);
}

TEST(DefaultScenario, EmbeddedTextMatchesTheFileInTheSourceTree) {
  const auto text = embedded_file("scenarios/default.yaml");
  ASSERT_TRUE(text.has_value());
  std::ifstream in(std::string(JETTISON_SOURCE_DIR) + "/scenarios/default.yaml", std::ios::binary);
  std::stringstream on_disk;
  on_disk << in.rdbuf();
  EXPECT_EQ(std::string(*text), on_disk.str());
}

TEST(DefaultScenario, AcceptsOverrides) {
  const Scenario s = load_scenario(kDefaultScenario, {"desktops.count=3", "strategies=[partial]"});
  EXPECT_EQ(s.desktops.size(), 3U);
  EXPECT_EQ(s.strategies, (std::vector<std::string>{"partial"}));
}

}  // namespace
}  // namespace jettison::sim
