// `markov`: learns which page faults right after which (a successor table with counts, from every
// period's fault sequence, the current one included) and, at each fault, sends the most probable
// pages along the successor chains: best first by path probability, at most `budget` pages, at most
// `depth` pages sent along any path; pages already on the server this period are walked through
// without being sent or using a step. Since prefetched pages no longer fault, the table learns
// "skip" edges to the next fault, so its chains reach further ahead (into the next burst) period
// after period. At migration it sends what `history` would with the same budget.
//
// Memory: at most max(4 x budget pages, 1024) pages with successors, 4 successors each (the least
// likely replaced); when full, the eighth least recently taught is forgotten. Plus `history`'s bound
// and the set of pages faulted or sent in the current period. Details in PREFETCH.md.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "policy/history_prefetch.hpp"
#include "policy/prefetcher.hpp"

namespace jettison::policy {

class MarkovPrefetch final : public Prefetcher {
 public:
  static constexpr std::size_t kSuccessors = 4;            // successors kept per page
  static constexpr std::uint64_t kNodesPerBudgetPage = 4;  // pages with successors kept, per budget page
  static constexpr std::uint64_t kMinNodes = 1024;
  static constexpr std::uint32_t kCountCeiling = 1024;  // a page's counts halve when their sum passes it

  MarkovPrefetch(Bytes budget, std::uint32_t depth, const VmShape& vm, bool seed_at_migration = true);

  void on_migration(Time t, std::vector<PageId>& out) override;
  void on_fault(Time t, PageId page, std::vector<PageId>& out) override;
  void on_period_end(std::span<const PageId> touched) override;
  std::unique_ptr<Prefetcher> clone() const override { return std::make_unique<MarkovPrefetch>(*this); }

  struct Successor {
    PageId page = 0;
    std::uint32_t count = 0;  // times it faulted right after the page (halved now and then)
    std::uint64_t stamp = 0;  // the fault that last confirmed it
  };
  // The successors learned for `page`, most likely first (empty if none).
  std::vector<Successor> successors(PageId page) const;
  std::size_t table_size() const { return table_.size(); }
  std::uint64_t max_nodes() const { return max_nodes_; }
  std::uint64_t budget_pages() const { return budget_pages_; }

 private:
  struct Node {
    std::array<Successor, kSuccessors> next{};
    std::uint8_t size = 0;
    std::uint64_t stamp = 0;  // the fault that last taught it something (unique: eviction order)
  };
  void learn(PageId from, PageId to);
  void predict(PageId root, std::vector<PageId>& out);
  void trim();

  std::uint64_t pages_;
  std::uint64_t budget_pages_;
  std::uint32_t depth_;
  std::uint64_t max_nodes_;
  bool seed_;
  HistoryPrefetch history_;
  std::uint64_t clock_ = 0;                 // faults seen so far (all periods)
  std::unordered_map<PageId, Node> table_;  // page -> pages that faulted right after it
  std::optional<PageId> prev_;              // this period's previous fault
  std::unordered_set<PageId> on_server_;    // this period: pages faulted or sent
};

}  // namespace jettison::policy
