// How many pages a running VM dirties in a span of its idle period: the unique pages its profile
// writes there (replayed), or a configured rate (migration.full.dirty_rate), capped at the VM's size.
#pragma once

#include <cstdint>
#include <optional>

#include "common/quantity.hpp"
#include "sim/model/page_set.hpp"
#include "sim/model/profile_replay.hpp"

namespace jettison::sim {

class DirtyModel {
 public:
  DirtyModel(const FirstTouchIndex& writes, std::optional<Bandwidth> rate, Bytes page_size,
             std::uint64_t vm_pages)
      : writes_(&writes), rate_(rate), page_size_(page_size), vm_pages_(vm_pages) {}

  // Unique pages written at profile offsets [from_us, to_us). `scratch` is sized to the profile's
  // unique pages and left empty.
  std::uint64_t pages_written(std::int64_t from_us, std::int64_t to_us, PageSet& scratch) const {
    if (to_us <= from_us) return 0;
    if (rate_) {
      const Bytes b = bytes_in(Duration::micros(to_us - from_us), *rate_);
      const std::uint64_t pages = b.count() / page_size_.count();
      return pages < vm_pages_ ? pages : vm_pages_;
    }
    scratch.clear();
    collect_writes(*writes_, from_us, to_us, scratch);
    const std::uint64_t n = scratch.size();
    scratch.clear();
    return n;
  }

 private:
  const FirstTouchIndex* writes_;  // the profile's
  std::optional<Bandwidth> rate_;
  Bytes page_size_;
  std::uint64_t vm_pages_;
};

}  // namespace jettison::sim
