// Bandwidth sharing behind one narrow interface: given resource capacities and a set of flow classes
// (a route and how many identical flows follow it), a solver gives every class a per-flow rate and the
// resource that limits it (its bottleneck). Solvers are registered by name (`sharing_solvers()`);
// "max-min" (progressive filling) is the only one today.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/registry.hpp"
#include "sim/network/resource_id.hpp"

namespace jettison::sim::net {

// One sharing problem: classes of identical flows over resources. Class i follows
// routes[route_begin[i] .. route_begin[i + 1]) and holds count[i] > 0 flows.
struct SharingProblem {
  std::span<const double> capacity;  // bits/s, indexed by ResourceId (the whole network)
  std::vector<ResourceId> routes;
  std::vector<std::uint32_t> route_begin{0};
  std::vector<std::uint32_t> count;

  std::size_t classes() const { return count.size(); }
  std::span<const ResourceId> route(std::size_t i) const {
    return {routes.data() + route_begin[i], routes.data() + route_begin[i + 1]};
  }
  void add(std::span<const ResourceId> route, std::uint32_t flows) {
    routes.insert(routes.end(), route.begin(), route.end());
    route_begin.push_back(static_cast<std::uint32_t>(routes.size()));
    count.push_back(flows);
  }
  void clear() {
    routes.clear();
    route_begin.assign(1, 0);
    count.clear();
  }
};

struct SharingSolution {
  std::vector<double> rate;            // bits/s of each flow of class i
  std::vector<ResourceId> bottleneck;  // the resource that limits class i; classes with the same
                                       // bottleneck get the same rate
};

class SharingSolver {
 public:
  virtual ~SharingSolver() = default;
  // Solves `p` from scratch. Deterministic: same problem, same solution, bit for bit.
  virtual void solve(const SharingProblem& p, SharingSolution& out) = 0;
  // True when every solution is characterised by saturated bottlenecks (max-min fairness: each flow
  // crosses a saturated resource on which no flow gets more). FlowNetwork then repairs small changes
  // locally (O(log n)) when that characterisation proves the result equal to a full solve.
  virtual bool bottleneck_characterised() const = 0;
};

using SharingSolverRegistry = Registry<std::unique_ptr<SharingSolver>>;

const SharingSolverRegistry& sharing_solvers();

}  // namespace jettison::sim::net
