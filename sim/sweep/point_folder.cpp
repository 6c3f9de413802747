#include "sim/sweep/point_folder.hpp"

#include <fmt/format.h>

namespace jettison::sim {
namespace {

bool safe_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_' || c == '+' || c == '@' || c == '%';
}

}  // namespace

std::string folder_safe(const std::string& text) {
  std::string out;
  for (const char c : text) {
    char s = c;
    if (c == '[' || c == ']' || c == '{' || c == '}' || c == '"' || c == '\'') continue;
    if (c == ',')
      s = '+';
    else if (!safe_char(c))
      s = '_';
    if (s == '_' && !out.empty() && (out.back() == '_' || out.back() == '+')) continue;
    if ((s == '_' || s == '+') && out.empty()) continue;
    out.push_back(s);
  }
  while (!out.empty() && (out.back() == '_' || out.back() == '+')) out.pop_back();
  return out.empty() ? "_" : out;
}

std::string point_folder(const Grid& grid, std::size_t point) {
  const std::size_t width = fmt::format("{}", grid.size() > 0 ? grid.size() - 1 : 0).size();
  std::string name = fmt::format("{:0{}}", point, std::max<std::size_t>(3, width));
  const auto values = grid.values(point);
  for (std::size_t k = 0; k < grid.axes.size(); ++k) {
    name += fmt::format("{}{}={}", k == 0 ? '-' : ',', folder_safe(grid.axes[k].key), folder_safe(values[k]));
  }
  // The seed last, where a long name's cut does not reach it.
  const std::string seed =
      grid.replicates > 0 ? fmt::format("{}seed={}", grid.axes.empty() ? '-' : ',', grid.seed(point)) : "";
  if (name.size() + seed.size() > kMaxFolderName) name.resize(kMaxFolderName - seed.size());
  name += seed;
  return name;
}

}  // namespace jettison::sim
