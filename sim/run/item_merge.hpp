// The k-way merge of shards' item streams into the canonical order (sim/run/shard_item.hpp): each
// source yields its items in that order; ties (the same instant's changes from two shards) go by
// source index, so the merged stream depends only on the items, not on their timing.
#pragma once

#include <vector>

#include "sim/run/shard_item.hpp"

namespace jettison::sim {

// One shard's items, in the canonical order: a thread's queue, another MPI rank's messages.
class ItemSource {
 public:
  virtual ~ItemSource() = default;
  // The next item; false once the stream has ended. May block until one arrives.
  virtual bool next(ShardItem& item) = 0;
};

// Hands every item of every source to `out` in the canonical order.
void merge_items(const std::vector<ItemSource*>& sources, RecordSink& out);

}  // namespace jettison::sim
