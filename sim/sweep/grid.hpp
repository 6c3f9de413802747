// The grid of a sweep: `--grid key.path=v1,v2,...` flags, each one axis, and the cartesian product of
// their values. Values are YAML (scalars, or flow lists and maps such as [full,partial] or {a: 1}):
// commas split values only outside brackets, braces and quotes. Point i has one value per axis, the
// first axis varying slowest; its overrides are the `key=value` strings a --set would take.
//
// With replicates (`--replicates K`), every combination of values runs K times, each with its own
// seed (first_seed, first_seed + 1, ...): the replicate varies fastest, point i is combination
// i / K and replicate i % K, and its overrides end with `seed=<its seed>`.
#pragma once

#include <cstddef>
#include <cstdint>
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
  std::size_t replicates = 0;    // 0: no replicates (the scenario's seed alone); else K >= 1
  std::uint64_t first_seed = 0;  // the seed of replicate 0: the scenario's

  // Number of points: the product of the axes' value counts (1 without axes), times the replicates.
  std::size_t size() const;
  // The combination of values of `point` (its index without replicates) and its replicate.
  std::size_t combination(std::size_t point) const { return replicates > 0 ? point / replicates : point; }
  std::size_t replicate(std::size_t point) const { return replicates > 0 ? point % replicates : 0; }
  // The seed replicate `point` runs with (replicates only).
  std::uint64_t seed(std::size_t point) const { return first_seed + replicate(point); }
  // For each axis, the index of its value at `point`.
  std::vector<std::size_t> coordinates(std::size_t point) const;
  // For each axis, its value at `point`.
  std::vector<std::string> values(std::size_t point) const;
  // For each axis, "key=value" at `point`, for load_scenario; then "seed=N" with replicates.
  std::vector<std::string> overrides(std::size_t point) const;
};

// Splits "v1,v2,[a,b],'x,y'" into values; `origin` names the flag in errors (InputError).
std::vector<std::string> split_grid_values(const std::string& list, const std::string& origin);

// One `--grid key.path=v1,v2,...` flag.
GridAxis parse_grid_axis(const std::string& flag);

// All --grid flags: each key once, at most kMaxGridPoints points, and no key also fixed by `sets`
// (the --set flags), which the grid would silently replace.
Grid parse_grid(const std::vector<std::string>& flags, const std::vector<std::string>& sets = {});

// The most replicates a point may have.
inline constexpr std::size_t kMaxReplicates = 1000;

// `--replicates K` (the flag's text): K within 1..kMaxReplicates, no --grid over `seed` (the
// replicates draw the seeds) and at most kMaxGridPoints points in all. Sets grid.replicates; the
// first seed is the scenario's, set once it is loaded.
void set_replicates(Grid& grid, const std::string& flag);

}  // namespace jettison::sim
