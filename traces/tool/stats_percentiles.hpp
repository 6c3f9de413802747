// Percentiles for `jettison-trace stats`, by the nearest-rank method: the p-th percentile of n sorted
// values is the value of rank ceil(p / 100 x n) (the smallest value with at least p% of the values
// at or below it). Always one of the values, so hand-made tests can state it exactly.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

namespace jettison::traces {

inline constexpr std::array<int, 8> kPercentiles = {5, 10, 25, 50, 75, 90, 95, 99};

struct Distribution {
  std::uint64_t count = 0;
  double min = 0, max = 0, mean = 0;
  std::array<double, kPercentiles.size()> p{};  // in the order of kPercentiles
};

// Sorts `values` and summarizes them (all zero when empty).
inline Distribution summarize(std::vector<double>& values) {
  Distribution d;
  d.count = values.size();
  if (values.empty()) return d;
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (double v : values) sum += v;
  d.min = values.front();
  d.max = values.back();
  d.mean = sum / static_cast<double>(values.size());
  for (std::size_t i = 0; i < kPercentiles.size(); ++i) {
    const auto rank = static_cast<std::size_t>(
        std::ceil(kPercentiles[i] / 100.0 * static_cast<double>(values.size()) - 1e-9));
    d.p[i] = values[std::max<std::size_t>(rank, 1) - 1];
  }
  return d;
}

}  // namespace jettison::traces
