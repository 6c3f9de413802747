#include "sim/network/max_min_solver.hpp"

#include <algorithm>
#include <cassert>
#include <functional>
#include <queue>
#include <utility>

namespace jettison::sim::net {

namespace {
constexpr std::uint32_t kNone = 0xffffffffu;
}

void MaxMinSolver::solve(const SharingProblem& p, SharingSolution& out) {
  const std::size_t n = p.classes();
  out.rate.assign(n, 0.0);
  out.bottleneck.assign(n, 0);
  if (local_.size() < p.capacity.size()) local_.resize(p.capacity.size(), kNone);

  // Local numbering of the resources the classes use, in order of first use.
  used_.clear();
  for (std::size_t i = 0; i < n; ++i)
    for (ResourceId r : p.route(i))
      if (local_[r] == kNone) {
        local_[r] = static_cast<std::uint32_t>(used_.size());
        used_.push_back(r);
      }
  const std::size_t m = used_.size();
  remaining_.assign(m, 0.0);
  unfrozen_.assign(m, 0);
  share_.assign(m, 0.0);
  by_resource_begin_.assign(m + 1, 0);
  for (std::size_t l = 0; l < m; ++l) remaining_[l] = p.capacity[used_[l]];
  for (std::size_t i = 0; i < n; ++i)
    for (ResourceId r : p.route(i)) {
      unfrozen_[local_[r]] += p.count[i];
      ++by_resource_begin_[local_[r] + 1];
    }
  for (std::size_t l = 0; l < m; ++l) by_resource_begin_[l + 1] += by_resource_begin_[l];
  by_resource_.assign(by_resource_begin_[m], 0);
  {
    std::vector<std::uint32_t> fill(by_resource_begin_.begin(), by_resource_begin_.end() - 1);
    for (std::size_t i = 0; i < n; ++i)
      for (ResourceId r : p.route(i)) by_resource_[fill[local_[r]]++] = static_cast<std::uint32_t>(i);
  }
  frozen_.assign(n, 0);

  // Min-heap of (fair share, resource); stale entries are skipped by comparing with share_.
  using Entry = std::pair<double, ResourceId>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  for (std::size_t l = 0; l < m; ++l) {
    share_[l] = remaining_[l] / static_cast<double>(unfrozen_[l]);
    heap.emplace(share_[l], used_[l]);
  }
  double level = 0.0;
  while (!heap.empty()) {
    const auto [s, r] = heap.top();
    heap.pop();
    const std::uint32_t l = local_[r];
    if (unfrozen_[l] == 0 || s != share_[l]) continue;
    // Shares never fall below the current level in exact arithmetic; clamp away float noise.
    level = std::max(level, s);
    for (std::uint32_t k = by_resource_begin_[l]; k < by_resource_begin_[l + 1]; ++k) {
      const std::uint32_t i = by_resource_[k];
      if (frozen_[i]) continue;
      frozen_[i] = 1;
      out.rate[i] = level;
      out.bottleneck[i] = r;
      const double w = static_cast<double>(p.count[i]);
      for (ResourceId r2 : p.route(i)) {
        const std::uint32_t l2 = local_[r2];
        remaining_[l2] -= w * level;
        unfrozen_[l2] -= p.count[i];
        if (l2 != l && unfrozen_[l2] > 0) {
          share_[l2] = std::max(level, remaining_[l2] / static_cast<double>(unfrozen_[l2]));
          heap.emplace(share_[l2], r2);
        }
      }
    }
    assert(unfrozen_[l] == 0);
  }
  for (ResourceId r : used_) local_[r] = kNone;
}

}  // namespace jettison::sim::net
