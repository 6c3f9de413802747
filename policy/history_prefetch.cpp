#include "policy/history_prefetch.hpp"

#include <algorithm>
#include <limits>

namespace jettison::policy {

std::uint64_t pages_within(Bytes budget, const VmShape& vm) {
  if (vm.page_size.count() == 0) return 0;
  return std::min(budget.count() / vm.page_size.count(), vm.pages);
}

HistoryPrefetch::HistoryPrefetch(Bytes budget, const VmShape& vm)
    : pages_(vm.pages), budget_pages_(pages_within(budget, vm)) {
  const std::uint64_t cap = std::numeric_limits<std::uint64_t>::max() / kTrackedPerBudgetPage;
  capacity_ = std::min(std::min(budget_pages_, cap) * kTrackedPerBudgetPage, pages_);
}

void HistoryPrefetch::on_migration(Time, std::vector<PageId>& out) {
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(budget_pages_, ranked_.size()));
  for (std::size_t i = 0; i < n; ++i) out.push_back(ranked_[i].page);
}

void HistoryPrefetch::on_period_end(std::span<const PageId> touched) {
  if (periods_ < std::numeric_limits<std::uint32_t>::max()) ++periods_;
  if (capacity_ == 0) return;

  std::vector<PageId> seen;
  seen.reserve(touched.size());
  for (PageId p : touched)
    if (p < pages_) seen.push_back(p);
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());

  // Merge the period's pages into the counts, both sorted by page id.
  std::vector<Entry> old = std::move(ranked_);
  std::sort(old.begin(), old.end(), [](const Entry& a, const Entry& b) { return a.page < b.page; });
  std::vector<Entry> merged;
  merged.reserve(old.size() + seen.size());
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < old.size() || j < seen.size()) {
    if (j == seen.size() || (i < old.size() && old[i].page < seen[j])) {
      merged.push_back(old[i++]);
    } else if (i == old.size() || seen[j] < old[i].page) {
      merged.push_back({seen[j++], 1, periods_});
    } else {
      Entry e = old[i++];
      ++j;
      if (e.periods < std::numeric_limits<std::uint32_t>::max()) ++e.periods;
      e.last = periods_;
      merged.push_back(e);
    }
  }

  // Rank: more periods, then more recent, then lower page id. Keep the best `capacity_`.
  const auto better = [](const Entry& a, const Entry& b) {
    if (a.periods != b.periods) return a.periods > b.periods;
    if (a.last != b.last) return a.last > b.last;
    return a.page < b.page;
  };
  if (merged.size() > capacity_) {
    const auto keep = static_cast<std::ptrdiff_t>(capacity_);
    std::nth_element(merged.begin(), merged.begin() + keep, merged.end(), better);
    merged.resize(static_cast<std::size_t>(capacity_));
  }
  std::sort(merged.begin(), merged.end(), better);
  ranked_ = std::move(merged);
}

}  // namespace jettison::policy
