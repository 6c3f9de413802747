#include "policy/spatial_prefetch.hpp"

namespace jettison::policy {

void SpatialPrefetch::on_fault(Time, PageId page, std::vector<PageId>& out) {
  if (page >= pages_) return;
  for (std::uint64_t d = 1; d <= radius_; ++d) {
    const bool below = d <= page;
    const bool above = d < pages_ - page;  // page + d < pages_, without overflow
    if (!below && !above) return;
    if (below) out.push_back(page - d);
    if (above) out.push_back(page + d);
  }
}

}  // namespace jettison::policy
