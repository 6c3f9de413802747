// Least-squares fit of a working set's growth, U(t) = initial + late_rate*t + burst*(1 - exp(-t/tau))
// (page_model.hpp), to the unique-pages-over-time curves of one or more traces, with Eigen.
//
// Each trace's U(t) (pages first touched at or before t) is sampled on a uniform grid of `points`
// times over its span (t = span*k/points, k = 1..points); the fit minimises the squared error over
// all traces' samples together. The curve is linear in (initial, late_rate, burst) once tau is
// fixed: for each tau the three are solved by non-negative least squares (every subset of them, the
// best one with no negative value), and tau is found by a search over a log grid refined by
// golden-section search. Standard errors come from the Jacobian of all free parameters.
#pragma once

#include <cstddef>
#include <vector>

#include "traces/gen/page_model.hpp"

namespace jettison::traces {

struct GrowthSamples {
  std::vector<double> first_touch_s;  // sorted times of each new page (seconds since resume)
  double span_s = 0;                  // the trace's span (its last access)
};

struct GrowthFit {
  GrowthCurve curve;
  GrowthFitError error;
};

// The best curve for the traces together. Each trace needs a span > 0; throws std::invalid_argument
// when there is nothing to fit (no trace, no new page).
GrowthFit fit_growth(const std::vector<GrowthSamples>& traces, std::size_t points = 2000);

}  // namespace jettison::traces
