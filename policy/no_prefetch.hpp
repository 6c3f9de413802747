// `none`: never prefetches; every page the VM touches on the server is a fault. The baseline the
// other prefetchers' coverage is measured against.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "policy/prefetcher.hpp"

namespace jettison::policy {

class NoPrefetch final : public Prefetcher {
 public:
  void on_migration(Time, std::vector<PageId>&) override {}
  void on_fault(Time, PageId, std::vector<PageId>&) override {}
  void on_period_end(std::span<const PageId>) override {}
  std::unique_ptr<Prefetcher> clone() const override { return std::make_unique<NoPrefetch>(*this); }
};

}  // namespace jettison::policy
