// Percentiles of a set of latencies (nearest-rank: the smallest value with at least p% of the
// samples at or below it).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "common/time.hpp"

namespace jettison::sim {

struct LatencySummary {
  std::uint64_t count = 0;
  Duration p50, p95, p99, max;
};

inline LatencySummary summarize(std::vector<std::int64_t> samples_us) {
  LatencySummary s;
  s.count = samples_us.size();
  if (samples_us.empty()) return s;
  std::sort(samples_us.begin(), samples_us.end());
  auto rank = [&](double p) {
    auto k = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(samples_us.size())));
    return Duration::micros(samples_us[k == 0 ? 0 : k - 1]);
  };
  s.p50 = rank(50);
  s.p95 = rank(95);
  s.p99 = rank(99);
  s.max = Duration::micros(samples_us.back());
  return s;
}

}  // namespace jettison::sim
