// The grid of a sweep: `--grid key.path=v1,v2,...` flags, each one axis, and the cartesian product of
// their values. Values are YAML (scalars, or flow lists and maps such as [full,partial] or {a: 1}):
// commas split values only outside brackets, braces and quotes. Point i has one value per axis, the
// first axis varying slowest; its overrides are the `key=value` strings a --set would take.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace jettison::sim {

inline constexpr std::size_t kMaxGridPoints = 10000;

struct GridAxis {
  std::string key;                  // key path, as given
  std::vector<std::string> values;  // YAML text of each value, trimmed, in the order given
};

struct Grid {
  std::vector<GridAxis> axes;

  // Number of points: the product of the axes' value counts (1 without axes).
  std::size_t size() const;
  // For each axis, the index of its value at `point`.
  std::vector<std::size_t> coordinates(std::size_t point) const;
  // For each axis, its value at `point`.
  std::vector<std::string> values(std::size_t point) const;
  // For each axis, "key=value" at `point`, for load_scenario.
  std::vector<std::string> overrides(std::size_t point) const;
};

// Splits "v1,v2,[a,b],'x,y'" into values; `origin` names the flag in errors (InputError).
std::vector<std::string> split_grid_values(const std::string& list, const std::string& origin);

// One `--grid key.path=v1,v2,...` flag.
GridAxis parse_grid_axis(const std::string& flag);

// All --grid flags: each key once, at most kMaxGridPoints points, and no key also fixed by `sets`
// (the --set flags), which the grid would silently replace.
Grid parse_grid(const std::vector<std::string>& flags, const std::vector<std::string>& sets = {});

}  // namespace jettison::sim
