#include "policy/prefetchers.hpp"

#include "policy/history_prefetch.hpp"
#include "policy/markov_prefetch.hpp"
#include "policy/no_prefetch.hpp"
#include "policy/spatial_prefetch.hpp"

namespace jettison::policy {

const PrefetchRegistry& prefetchers() {
  static const PrefetchRegistry registry = [] {
    PrefetchRegistry r;
    r.add_inert("none", "never prefetch: every page is fetched at its first access",
          [](const PrefetchParams&, const VmShape&) -> std::unique_ptr<Prefetcher> {
            return std::make_unique<NoPrefetch>();
          });
    r.add("spatial", "at a fault, the policy.prefetch.radius pages on each side of the faulting page",
          [](const PrefetchParams& p, const VmShape& vm) -> std::unique_ptr<Prefetcher> {
            return std::make_unique<SpatialPrefetch>(p.radius, vm.pages);
          });
    r.add("history",
          "at migration, the pages touched in most earlier idle periods, within policy.prefetch.budget",
          [](const PrefetchParams& p, const VmShape& vm) -> std::unique_ptr<Prefetcher> {
            return std::make_unique<HistoryPrefetch>(p.budget, vm);
          });
    r.add("markov",
          "history at migration; at each fault, the learned next faults up to policy.prefetch.depth "
          "steps ahead, within policy.prefetch.budget",
          [](const PrefetchParams& p, const VmShape& vm) -> std::unique_ptr<Prefetcher> {
            return std::make_unique<MarkovPrefetch>(p.budget, p.depth, vm);
          });
    return r;
  }();
  return registry;
}

}  // namespace jettison::policy
