// `spatial`: at a fault on page p, the `radius` pages on each side of p, nearest first
// (p-1, p+1, p-2, p+2, ...), clipped to the VM's pages [0, pages). Stateless: it bets on the
// clustered layout of idle VMs' working sets (runs of contiguous pages), not on their history.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "policy/prefetcher.hpp"

namespace jettison::policy {

class SpatialPrefetch final : public Prefetcher {
 public:
  SpatialPrefetch(std::uint32_t radius, std::uint64_t pages) : radius_(radius), pages_(pages) {}

  void on_migration(Time, std::vector<PageId>&) override {}
  void on_fault(Time t, PageId page, std::vector<PageId>& out) override;
  void on_period_end(std::span<const PageId>) override {}
  std::unique_ptr<Prefetcher> clone() const override { return std::make_unique<SpatialPrefetch>(*this); }

 private:
  std::uint32_t radius_;
  std::uint64_t pages_;
};

}  // namespace jettison::policy
