#include "traces/tool/fit_growth.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace jettison::traces {
namespace {

struct Samples {
  Eigen::VectorXd t, y;
};

Samples sample(const std::vector<GrowthSamples>& traces, std::size_t points) {
  Samples s;
  const auto n = static_cast<Eigen::Index>(traces.size() * points);
  s.t.resize(n);
  s.y.resize(n);
  Eigen::Index i = 0;
  for (const GrowthSamples& tr : traces) {
    for (std::size_t k = 1; k <= points; ++k, ++i) {
      const double t = tr.span_s * static_cast<double>(k) / static_cast<double>(points);
      s.t[i] = t;
      const auto seen = std::upper_bound(tr.first_touch_s.begin(), tr.first_touch_s.end(), t);
      s.y[i] = static_cast<double>(seen - tr.first_touch_s.begin());
    }
  }
  return s;
}

// The linear part for a fixed tau: coefficients (initial, late_rate, burst), each >= 0.
struct Linear {
  std::array<double, 3> coef{0, 0, 0};
  double rss = std::numeric_limits<double>::infinity();
};

Eigen::MatrixXd design(const Samples& s, double tau) {
  Eigen::MatrixXd x(s.t.size(), 3);
  x.col(0).setOnes();
  x.col(1) = s.t;
  x.col(2) = s.t.unaryExpr([tau](double t) { return -std::expm1(-t / tau); });
  return x;
}

// Non-negative least squares by enumeration: with three unknowns, the best subset whose
// unconstrained solution has no negative value is the constrained optimum.
Linear solve_linear(const Samples& s, double tau) {
  const Eigen::MatrixXd x = design(s, tau);
  Linear best;
  best.rss = s.y.squaredNorm();  // every coefficient 0
  for (unsigned mask = 1; mask < 8; ++mask) {
    std::array<int, 3> cols{};
    int k = 0;
    for (int j = 0; j < 3; ++j)
      if ((mask >> j) & 1U) cols[static_cast<std::size_t>(k++)] = j;
    Eigen::MatrixXd xs(x.rows(), k);
    for (int j = 0; j < k; ++j) xs.col(j) = x.col(cols[static_cast<std::size_t>(j)]);
    const Eigen::VectorXd c = xs.colPivHouseholderQr().solve(s.y);
    if ((c.array() < 0).any() || !c.allFinite()) continue;
    const double rss = (s.y - xs * c).squaredNorm();
    if (rss < best.rss) {
      best.rss = rss;
      best.coef = {0, 0, 0};
      for (int j = 0; j < k; ++j)
        best.coef[static_cast<std::size_t>(cols[static_cast<std::size_t>(j)])] = c[j];
    }
  }
  return best;
}

}  // namespace

GrowthFit fit_growth(const std::vector<GrowthSamples>& traces, std::size_t points) {
  if (traces.empty() || points < 8) throw std::invalid_argument("fit_growth: no trace or too few points");
  double min_span = std::numeric_limits<double>::infinity(), max_span = 0;
  std::size_t new_pages = 0;
  for (const GrowthSamples& tr : traces) {
    if (!(tr.span_s > 0)) throw std::invalid_argument("fit_growth: a trace with no span");
    min_span = std::min(min_span, tr.span_s);
    max_span = std::max(max_span, tr.span_s);
    new_pages += tr.first_touch_s.size();
  }
  if (new_pages == 0) throw std::invalid_argument("fit_growth: no new page to fit");
  const Samples s = sample(traces, points);

  // tau on a log grid from half the finest grid step to ten times the longest span ...
  constexpr int kGrid = 96;
  const double lo = std::log(0.5 * min_span / static_cast<double>(points));
  const double hi = std::log(10.0 * max_span);
  auto log_tau = [&](int i) { return lo + (hi - lo) * i / (kGrid - 1); };
  int best_i = 0;
  double best_rss = std::numeric_limits<double>::infinity();
  for (int i = 0; i < kGrid; ++i) {
    const double rss = solve_linear(s, std::exp(log_tau(i))).rss;
    if (rss < best_rss) {
      best_rss = rss;
      best_i = i;
    }
  }
  // ... refined by golden-section search between its neighbours.
  double a = log_tau(std::max(0, best_i - 1)), b = log_tau(std::min(kGrid - 1, best_i + 1));
  const double g = (std::sqrt(5.0) - 1) / 2;
  double x1 = b - g * (b - a), x2 = a + g * (b - a);
  double f1 = solve_linear(s, std::exp(x1)).rss, f2 = solve_linear(s, std::exp(x2)).rss;
  for (int it = 0; it < 60; ++it) {
    if (f1 <= f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - g * (b - a);
      f1 = solve_linear(s, std::exp(x1)).rss;
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + g * (b - a);
      f2 = solve_linear(s, std::exp(x2)).rss;
    }
  }
  double tau = std::exp((a + b) / 2);
  Linear lin = solve_linear(s, tau);
  if (best_rss < lin.rss) {  // the grid point was better than the refinement (flat or rough)
    tau = std::exp(log_tau(best_i));
    lin = solve_linear(s, tau);
  }

  GrowthFit fit;
  fit.curve = {lin.coef[0], lin.coef[1], lin.coef[2], tau};
  const auto n = static_cast<double>(s.y.size());
  fit.error.points = static_cast<std::uint64_t>(s.y.size());
  fit.error.rmse = std::sqrt(lin.rss / n);
  const double tss = (s.y.array() - s.y.mean()).square().sum();
  fit.error.r2 = tss > 0 ? 1 - lin.rss / tss : 1.0;

  // Standard errors: s^2 (J^T J)^-1 over the free parameters (those off their bound 0; tau only
  // with a burst).
  const Eigen::MatrixXd x = design(s, tau);
  std::vector<int> free;
  for (int j = 0; j < 3; ++j)
    if (lin.coef[static_cast<std::size_t>(j)] > 0) free.push_back(j);
  const bool with_tau = lin.coef[2] > 0;
  const auto p = static_cast<Eigen::Index>(free.size() + (with_tau ? 1 : 0));
  if (p > 0 && s.y.size() > p) {
    Eigen::MatrixXd jac(s.y.size(), p);
    for (std::size_t j = 0; j < free.size(); ++j) jac.col(static_cast<Eigen::Index>(j)) = x.col(free[j]);
    if (with_tau) {
      const double c = lin.coef[2];
      jac.col(p - 1) =
          s.t.unaryExpr([c, tau](double t) { return -c * t / (tau * tau) * std::exp(-t / tau); });
    }
    // Columns scaled to unit norm first: t and the tau derivative differ by orders of magnitude.
    const Eigen::VectorXd norms = jac.colwise().norm().transpose();
    if ((norms.array() > 0).all()) {
      const Eigen::MatrixXd scaled = jac * norms.cwiseInverse().asDiagonal();
      const Eigen::FullPivLU<Eigen::MatrixXd> lu(scaled.transpose() * scaled);
      if (!lu.isInvertible()) return fit;
      const double s2 = lin.rss / (n - static_cast<double>(p));
      const Eigen::MatrixXd cov =
          s2 * norms.cwiseInverse().asDiagonal() * lu.inverse() * norms.cwiseInverse().asDiagonal();
      std::array<std::optional<double>*, 3> se{&fit.error.se_initial, &fit.error.se_late_rate,
                                               &fit.error.se_burst};
      for (std::size_t j = 0; j < free.size(); ++j) {
        const double v = cov(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(j));
        if (v >= 0 && std::isfinite(v)) *se[static_cast<std::size_t>(free[j])] = std::sqrt(v);
      }
      if (with_tau) {
        const double v = cov(p - 1, p - 1);
        if (v >= 0 && std::isfinite(v)) fit.error.se_burst_tau_s = std::sqrt(v);
      }
    }
  }
  return fit;
}

}  // namespace jettison::traces
