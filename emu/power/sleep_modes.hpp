// The kernel's lists of sleep modes: /sys/power/state ("freeze mem disk") and /sys/power/mem_sleep
// ("s2idle [deep]", the bracketed one selected).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace jettison::emu {

struct MemSleepModes {
  std::vector<std::string> available;
  std::string selected;
  bool offers(std::string_view mode) const;
};

// Throws PowerError starting with `origin` when the text is not a list with exactly one selected mode.
MemSleepModes parse_mem_sleep(std::string_view text, const std::string& origin = "/sys/power/mem_sleep");
// Whitespace-separated words; throws PowerError (with `origin`) when empty.
std::vector<std::string> parse_power_states(std::string_view text,
                                            const std::string& origin = "/sys/power/state");

}  // namespace jettison::emu
