// The draws the trace models make from a RandomStream (common/rng.hpp). Written out here rather than
// taken from <random>, whose distributions may differ between standard libraries: the same seed
// must give the same trace everywhere.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <vector>

#include "common/rng.hpp"

namespace jettison::traces {

// Uniform in [0, 1), 53 random bits.
inline double uniform01(RandomStream& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Uniform in [lo, hi).
inline double uniform(RandomStream& rng, double lo, double hi) { return lo + (hi - lo) * uniform01(rng); }

// Uniform integer in [lo, hi], both included.
inline std::int64_t uniform_int(RandomStream& rng, std::int64_t lo, std::int64_t hi) {
  return lo + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(hi - lo + 1)));
}

// True with probability p.
inline bool chance(RandomStream& rng, double p) { return uniform01(rng) < p; }

// Normal (Box-Muller, one value per two uniforms).
inline double normal(RandomStream& rng, double mean, double sd) {
  const double u1 = 1.0 - uniform01(rng);  // (0, 1]: log is finite
  const double u2 = uniform01(rng);
  return mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

// Exponential with the given rate (events per unit).
inline double exponential(RandomStream& rng, double rate) { return -std::log(1.0 - uniform01(rng)) / rate; }

// Log-uniform in [lo, hi): short values more likely than long ones.
inline double log_uniform(RandomStream& rng, double lo, double hi) {
  return std::exp(uniform(rng, std::log(lo), std::log(hi)));
}

// Index drawn with the given cumulative weights (non-decreasing, last > 0).
inline std::size_t pick_cumulative(RandomStream& rng, std::span<const double> cumulative) {
  const double x = uniform01(rng) * cumulative.back();
  std::size_t lo = 0, hi = cumulative.size() - 1;
  while (lo < hi) {  // first index whose cumulative weight exceeds x
    const std::size_t mid = (lo + hi) / 2;
    if (cumulative[mid] > x)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

// Cumulative weights of ranks 1..n with popularity 1 / rank^exponent (Zipf-like).
inline std::vector<double> zipf_cumulative(std::size_t n, double exponent) {
  std::vector<double> cum(n);
  double acc = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    acc += 1.0 / std::pow(static_cast<double>(i + 1), exponent);
    cum[i] = acc;
  }
  return cum;
}

}  // namespace jettison::traces
