#include "sim/model/server_power.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <utility>

namespace jettison::sim {

ServerPowerModel ServerPowerModel::linear(Power idle, Power max) {
  assert(!check_linear(idle, max));
  // Eleven points on the line; interpolating between them gives the line back.
  Table points;
  for (std::size_t i = 0; i < points.size(); ++i) {
    points[i] = idle + (max - idle) * (static_cast<double>(i) / 10.0);
  }
  return ServerPowerModel(points);
}

ServerPowerModel ServerPowerModel::table(const Table& points) {
  assert(!check_table(points));
  return ServerPowerModel(points);
}

std::optional<std::string> ServerPowerModel::check_linear(Power idle, Power max) {
  for (const auto& [what, p] : {std::pair{"idle", idle}, std::pair{"max", max}}) {
    if (!std::isfinite(p.watts()) || p.watts() < 0.0) {
      return fmt::format("{} power must be a non-negative number of watts, got {}", what, p.watts());
    }
  }
  if (max < idle) {
    return fmt::format("max power ({} W) must not be below idle power ({} W)", max.watts(), idle.watts());
  }
  return std::nullopt;
}

std::optional<std::string> ServerPowerModel::check_table(const Table& points) {
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double w = points[i].watts();
    if (!std::isfinite(w) || w < 0.0) {
      return fmt::format("power at {}% utilisation must be a non-negative number of watts, got {}", i * 10,
                         w);
    }
    if (i > 0 && w < points[i - 1].watts()) {
      return fmt::format("power must not decrease with utilisation: {} W at {}% but {} W at {}%",
                         points[i - 1].watts(), (i - 1) * 10, w, i * 10);
    }
  }
  return std::nullopt;
}

Power ServerPowerModel::at(double utilisation) const {
  assert(std::isfinite(utilisation));
  const double x = std::clamp(utilisation, 0.0, 1.0) * 10.0;  // position in tenths
  const auto below = std::min(static_cast<std::size_t>(x), points_.size() - 2);
  const double frac = x - static_cast<double>(below);
  return points_[below] + (points_[below + 1] - points_[below]) * frac;
}

}  // namespace jettison::sim
