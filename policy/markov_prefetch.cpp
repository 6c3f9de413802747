#include "policy/markov_prefetch.hpp"

#include <algorithm>
#include <limits>
#include <queue>

namespace jettison::policy {

namespace {

// Most likely first: higher count, then more recently confirmed, then lower page id.
bool likelier(const MarkovPrefetch::Successor& a, const MarkovPrefetch::Successor& b) {
  if (a.count != b.count) return a.count > b.count;
  if (a.stamp != b.stamp) return a.stamp > b.stamp;
  return a.page < b.page;
}

}  // namespace

MarkovPrefetch::MarkovPrefetch(Bytes budget, std::uint32_t depth, const VmShape& vm, bool seed_at_migration)
    : pages_(vm.pages),
      budget_pages_(pages_within(budget, vm)),
      depth_(depth),
      seed_(seed_at_migration),
      history_(budget, vm) {
  const std::uint64_t cap = std::numeric_limits<std::uint64_t>::max() / kNodesPerBudgetPage;
  max_nodes_ = std::max(std::min(budget_pages_, cap) * kNodesPerBudgetPage, kMinNodes);
}

std::vector<MarkovPrefetch::Successor> MarkovPrefetch::successors(PageId page) const {
  const auto it = table_.find(page);
  if (it == table_.end()) return {};
  std::vector<Successor> out(it->second.next.begin(), it->second.next.begin() + it->second.size);
  std::sort(out.begin(), out.end(), likelier);
  return out;
}

void MarkovPrefetch::on_migration(Time t, std::vector<PageId>& out) {
  if (!seed_) return;
  const std::size_t from = out.size();
  history_.on_migration(t, out);
  for (std::size_t i = from; i < out.size(); ++i) on_server_.insert(out[i]);
}

void MarkovPrefetch::on_fault(Time, PageId page, std::vector<PageId>& out) {
  if (page >= pages_) return;
  ++clock_;
  on_server_.insert(page);
  if (prev_) learn(*prev_, page);
  prev_ = page;
  predict(page, out);
}

void MarkovPrefetch::on_period_end(std::span<const PageId> touched) {
  if (seed_) history_.on_period_end(touched);
  prev_.reset();
  on_server_.clear();
}

void MarkovPrefetch::learn(PageId from, PageId to) {
  if (from == to) return;
  auto [it, inserted] = table_.try_emplace(from);
  Node& node = it->second;
  node.stamp = clock_;
  Successor* hit = nullptr;
  for (std::size_t i = 0; i < node.size; ++i)
    if (node.next[i].page == to) hit = &node.next[i];
  if (hit != nullptr) {
    ++hit->count;
    hit->stamp = clock_;
  } else if (node.size < kSuccessors) {
    node.next[node.size++] = {to, 1, clock_};
  } else {
    // Replace the least likely successor.
    Successor* worst = &node.next[0];
    for (std::size_t i = 1; i < node.size; ++i)
      if (likelier(*worst, node.next[i])) worst = &node.next[i];
    *worst = {to, 1, clock_};
  }
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < node.size; ++i) total += node.next[i].count;
  if (total > kCountCeiling)
    for (std::size_t i = 0; i < node.size; ++i) node.next[i].count = (node.next[i].count + 1) / 2;
  if (inserted && table_.size() > max_nodes_) trim();
}

// Forget the least recently taught pages: an eighth of the table at once, so trimming is rare.
void MarkovPrefetch::trim() {
  std::vector<std::pair<std::uint64_t, PageId>> by_age;
  by_age.reserve(table_.size());
  for (const auto& [page, node] : table_) by_age.emplace_back(node.stamp, page);
  const std::size_t keep = static_cast<std::size_t>(max_nodes_ - max_nodes_ / 8);
  const std::size_t drop = by_age.size() - keep;
  std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(drop), by_age.end());
  for (std::size_t i = 0; i < drop; ++i) table_.erase(by_age[i].second);
}

// Best-first walk of the successor chains from `root`: the most probable page next (product of the
// transition frequencies along its path; ties: fewer steps, then lower page id). Pages already on
// the server are walked through without being sent and without using a step of `depth_`.
void MarkovPrefetch::predict(PageId root, std::vector<PageId>& out) {
  if (budget_pages_ == 0 || depth_ == 0) return;
  struct Candidate {
    double p;
    std::uint32_t steps;  // pages sent along the path before this one
    PageId page;
  };
  const auto after = [](const Candidate& a, const Candidate& b) {  // priority_queue: "a below b"
    if (a.p != b.p) return a.p < b.p;
    if (a.steps != b.steps) return a.steps > b.steps;
    return a.page > b.page;
  };
  std::priority_queue<Candidate, std::vector<Candidate>, decltype(after)> queue(after);
  std::unordered_set<PageId> visited{root};
  const auto expand = [&](PageId page, double p, std::uint32_t steps) {
    const auto it = table_.find(page);
    if (it == table_.end()) return;
    const Node& node = it->second;
    double total = 0;
    for (std::size_t i = 0; i < node.size; ++i) total += node.next[i].count;
    for (std::size_t i = 0; i < node.size; ++i)
      if (!visited.contains(node.next[i].page))
        queue.push({p * node.next[i].count / total, steps, node.next[i].page});
  };
  expand(root, 1.0, 0);
  std::uint64_t sent = 0;
  while (!queue.empty() && sent < budget_pages_) {
    const Candidate c = queue.top();
    queue.pop();
    if (!visited.insert(c.page).second) continue;
    std::uint32_t steps = c.steps;
    if (c.page < pages_ && on_server_.insert(c.page).second) {
      out.push_back(c.page);
      ++sent;
      ++steps;
    }
    if (steps < depth_) expand(c.page, c.p, steps);
  }
}

}  // namespace jettison::policy
