// `history`: at migration, the pages this VM touched in most of its earlier idle periods.
//
// After each period it counts, for every page the VM touched, the number of periods that touched it
// (and the last one that did). At the next migration it sends the best-ranked pages within the byte
// budget: more periods first, then the more recently touched, then the lower page id (a total order,
// so the choice is deterministic). Nothing in the first period: there is no history yet.
//
// Memory: counts for at most 4 x (budget / page_size) pages (capped at the VM's pages). When more
// pages than that have been touched, the worst-ranked are forgotten at the end of the period.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "policy/prefetcher.hpp"

namespace jettison::policy {

// Whole pages that fit in `budget` (none when the page size is zero), never more than the VM has.
std::uint64_t pages_within(Bytes budget, const VmShape& vm);

class HistoryPrefetch final : public Prefetcher {
 public:
  static constexpr std::uint64_t kTrackedPerBudgetPage = 4;

  HistoryPrefetch(Bytes budget, const VmShape& vm);

  void on_migration(Time t, std::vector<PageId>& out) override;
  void on_fault(Time, PageId, std::vector<PageId>&) override {}
  void on_period_end(std::span<const PageId> touched) override;
  std::unique_ptr<Prefetcher> clone() const override { return std::make_unique<HistoryPrefetch>(*this); }

  struct Entry {
    PageId page = 0;
    std::uint32_t periods = 0;  // periods that touched the page
    std::uint32_t last = 0;     // the last of them (1 = the first period)
  };
  // What it remembers, best first (what on_migration sends is a prefix of it).
  const std::vector<Entry>& ranked() const { return ranked_; }
  std::uint64_t budget_pages() const { return budget_pages_; }
  std::uint64_t capacity() const { return capacity_; }
  std::uint32_t periods() const { return periods_; }

 private:
  std::uint64_t pages_;
  std::uint64_t budget_pages_;
  std::uint64_t capacity_;
  std::uint32_t periods_ = 0;
  std::vector<Entry> ranked_;
};

}  // namespace jettison::policy
