#include "sim/run/item_merge.hpp"

#include <algorithm>
#include <cstddef>

namespace jettison::sim {

void merge_items(const std::vector<ItemSource*>& sources, RecordSink& out) {
  // Each source's next item waits in `heads`; a min-heap of source indices orders them (items are
  // large: the heap moves indices, each item moves once in and once out).
  std::vector<ShardItem> heads(sources.size());
  const auto later = [&heads](std::size_t a, std::size_t b) {
    if (comes_before(heads[b], heads[a])) return true;
    if (comes_before(heads[a], heads[b])) return false;
    return a > b;
  };
  std::vector<std::size_t> heap;
  heap.reserve(sources.size());
  for (std::size_t i = 0; i < sources.size(); ++i)
    if (sources[i]->next(heads[i])) heap.push_back(i);
  std::make_heap(heap.begin(), heap.end(), later);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    const std::size_t i = heap.back();
    out.put(std::move(heads[i]));
    if (sources[i]->next(heads[i])) {
      std::push_heap(heap.begin(), heap.end(), later);
    } else {
      heap.pop_back();
    }
  }
}

}  // namespace jettison::sim
