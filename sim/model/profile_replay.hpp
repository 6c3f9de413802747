// Replaying a page-access profile inside an idle period (traces/FORMAT.md): accesses at offsets
// measured from the period's start; when the period outlasts the profile and the profile repeats,
// copy k of it is shifted by k x cycle.
#pragma once

#include <cstdint>

#include "sim/model/page_set.hpp"
#include "sim/trace/page_profile.hpp"

namespace jettison::sim {

class ProfileCursor {
 public:
  // Positions at the first access with offset >= from_us.
  void start(const PageProfile& p, std::int64_t from_us) {
    p_ = &p;
    if (p.accesses.empty()) {
      i_ = 0;
      done_ = true;
      return;
    }
    const std::int64_t cycle = p.cycle.us();
    std::int64_t copy = p.repeat ? from_us / cycle : 0;
    base_ = copy * cycle;
    i_ = p.first_at_or_after(from_us - base_);
    done_ = false;
    if (i_ == p.accesses.size()) next_copy();
  }
  bool done() const { return done_; }
  std::int64_t offset_us() const { return base_ + p_->accesses[i_].offset_us; }
  const PageAccess& access() const { return p_->accesses[i_]; }
  void advance() {
    if (++i_ == p_->accesses.size()) next_copy();
  }

 private:
  void next_copy() {
    if (!p_->repeat) {
      done_ = true;
      return;
    }
    base_ += p_->cycle.us();
    i_ = 0;
  }
  const PageProfile* p_ = nullptr;
  std::size_t i_ = 0;
  std::int64_t base_ = 0;
  bool done_ = true;
};

// Adds to `out` the pages written at offsets in [from_us, to_us). Scans at most one cycle of a
// repeating profile: a longer window adds no page a full cycle has not already added.
inline void collect_writes(const PageProfile& p, std::int64_t from_us, std::int64_t to_us, PageSet& out) {
  if (p.repeat && to_us - from_us > p.cycle.us()) to_us = from_us + p.cycle.us();
  ProfileCursor c;
  for (c.start(p, from_us); !c.done() && c.offset_us() < to_us; c.advance()) {
    if (c.access().write) out.insert(c.access().slot);
  }
}

}  // namespace jettison::sim
