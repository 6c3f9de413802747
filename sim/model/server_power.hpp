// The consolidation server's power draw as a function of its utilisation: linear between idle and
// max, or a SPECpower-style table of 11 points (0%, 10%, ..., 100%) with linear interpolation between
// them, as CloudSim's PowerModelSpecPower does.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "common/quantity.hpp"

namespace jettison::sim {

class ServerPowerModel {
 public:
  using Table = std::array<Power, 11>;  // draw at 0%, 10%, ..., 100% utilisation

  // Both assert their input passes check_linear / check_table (the loader checks first).
  static ServerPowerModel linear(Power idle, Power max);
  static ServerPowerModel table(const Table& points);

  // Bad input described for the loader; nullopt when fine. Non-negative, finite, and
  // non-decreasing (idle <= max).
  static std::optional<std::string> check_linear(Power idle, Power max);
  static std::optional<std::string> check_table(const Table& points);

  // The draw at `utilisation` (asserted finite, clamped to [0, 1]).
  Power at(double utilisation) const;
  Power idle() const { return points_.front(); }
  Power max() const { return points_.back(); }

 private:
  explicit ServerPowerModel(const Table& points) : points_(points) {}
  Table points_;
};

}  // namespace jettison::sim
