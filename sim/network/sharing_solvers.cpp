#include "sim/network/max_min_solver.hpp"
#include "sim/network/sharing_solver.hpp"

namespace jettison::sim::net {

const SharingSolverRegistry& sharing_solvers() {
  static const SharingSolverRegistry registry = [] {
    SharingSolverRegistry r;
    r.add("max-min",
          "max-min fairness by progressive filling: every flow gets the fair share of its most loaded "
          "resource; no flow can gain without taking from one with less",
          []() -> std::unique_ptr<SharingSolver> { return std::make_unique<MaxMinSolver>(); });
    return r;
  }();
  return registry;
}

}  // namespace jettison::sim::net
