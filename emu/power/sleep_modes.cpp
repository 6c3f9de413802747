#include "emu/power/sleep_modes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "emu/power/power_error.hpp"

namespace jettison::emu {
namespace {

std::vector<std::string> words(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace

bool MemSleepModes::offers(std::string_view mode) const {
  return std::find(available.begin(), available.end(), mode) != available.end();
}

MemSleepModes parse_mem_sleep(std::string_view text, const std::string& origin) {
  MemSleepModes m;
  const std::string quoted = fmt::format("'{}'", text.substr(0, text.find_last_not_of(" \n") + 1));
  for (std::string w : words(text)) {
    const bool open = w.front() == '[', close = w.back() == ']';
    if (open != close || (open && w.size() < 3))
      throw PowerError(origin + ": malformed mode '" + w + "' in " + quoted);
    if (open) {
      w = w.substr(1, w.size() - 2);
      if (!m.selected.empty())
        throw PowerError(origin + ": two selected modes (" + m.selected + ", " + w + ") in " + quoted);
      m.selected = w;
    }
    if (w.find_first_of("[]") != std::string::npos)
      throw PowerError(origin + ": malformed mode '" + w + "' in " + quoted);
    m.available.push_back(w);
  }
  if (m.available.empty()) throw PowerError(origin + ": no modes listed");
  if (m.selected.empty()) throw PowerError(origin + ": no selected [mode] in " + quoted);
  return m;
}

std::vector<std::string> parse_power_states(std::string_view text, const std::string& origin) {
  auto out = words(text);
  if (out.empty()) throw PowerError(origin + ": no sleep states listed");
  return out;
}

}  // namespace jettison::emu
