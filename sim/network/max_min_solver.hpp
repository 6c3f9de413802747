// Max-min fair sharing by progressive filling: all unfrozen flows grow at the same rate; when a
// resource saturates, the flows crossing it freeze at its fair share (remaining capacity / unfrozen
// flows). Ties between resources that saturate at the same level go to the lower ResourceId.
// Cost: O(sum of route lengths x log(resources)) per solve.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/network/sharing_solver.hpp"

namespace jettison::sim::net {

class MaxMinSolver final : public SharingSolver {
 public:
  void solve(const SharingProblem& p, SharingSolution& out) override;
  bool bottleneck_characterised() const override { return true; }

 private:
  // Scratch space reused between solves (the solver is not thread-safe).
  std::vector<std::uint32_t> local_;  // ResourceId -> index into the arrays below, or kNone
  std::vector<ResourceId> used_;
  std::vector<double> remaining_;
  std::vector<std::uint64_t> unfrozen_;
  std::vector<double> share_;
  std::vector<std::uint32_t> by_resource_begin_;
  std::vector<std::uint32_t> by_resource_;
  std::vector<char> frozen_;
};

}  // namespace jettison::sim::net
