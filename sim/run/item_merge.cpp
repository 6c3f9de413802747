#include "sim/run/item_merge.hpp"

#include <algorithm>
#include <cstddef>

namespace jettison::sim {

void merge_items(const std::vector<ItemSource*>& sources, RecordSink& out) {
  struct Head {
    ShardItem item;
    std::size_t source;
  };
  // A min-heap of the sources' next items (std heap functions keep the largest first: invert).
  const auto later = [](const Head& a, const Head& b) {
    if (comes_before(b.item, a.item)) return true;
    if (comes_before(a.item, b.item)) return false;
    return a.source > b.source;
  };
  std::vector<Head> heap;
  heap.reserve(sources.size());
  for (std::size_t i = 0; i < sources.size(); ++i) {
    Head h{{}, i};
    if (sources[i]->next(h.item)) heap.push_back(std::move(h));
  }
  std::make_heap(heap.begin(), heap.end(), later);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    Head& h = heap.back();
    out.put(std::move(h.item));
    if (sources[h.source]->next(h.item)) {
      std::push_heap(heap.begin(), heap.end(), later);
    } else {
      heap.pop_back();
    }
  }
}

}  // namespace jettison::sim
