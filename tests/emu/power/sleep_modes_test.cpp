#include "emu/power/sleep_modes.hpp"

#include <gtest/gtest.h>

#include "emu/power/power_error.hpp"

namespace jettison::emu {
namespace {

TEST(MemSleep, ParsesTheSelectedMode) {
  const auto m = parse_mem_sleep("s2idle [deep]\n");
  EXPECT_EQ(m.available, (std::vector<std::string>{"s2idle", "deep"}));
  EXPECT_EQ(m.selected, "deep");
  EXPECT_TRUE(m.offers("deep"));
  EXPECT_TRUE(m.offers("s2idle"));
  EXPECT_FALSE(m.offers("shallow"));

  const auto s = parse_mem_sleep("[s2idle] shallow deep");
  EXPECT_EQ(s.selected, "s2idle");
  EXPECT_EQ(s.available.size(), 3u);
  EXPECT_EQ(parse_mem_sleep("[s2idle]").available, std::vector<std::string>{"s2idle"});
}

TEST(MemSleep, RejectsMalformedLists) {
  for (const char* bad : {"", "  \n", "s2idle deep", "[s2idle] [deep]", "s2idle [deep", "s2idle deep]", "[]",
                          "s2[idle] deep", "[[deep]]"}) {
    try {
      parse_mem_sleep(bad, "fake/mem_sleep");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const PowerError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("fake/mem_sleep: ", 0), 0u) << e.what();
    }
  }
}

TEST(PowerStates, SplitsWords) {
  EXPECT_EQ(parse_power_states("freeze mem disk\n"), (std::vector<std::string>{"freeze", "mem", "disk"}));
  EXPECT_THROW(parse_power_states("\n"), PowerError);
}

}  // namespace
}  // namespace jettison::emu
