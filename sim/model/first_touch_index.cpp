#include "sim/model/first_touch_index.hpp"

#include <cassert>

namespace jettison::sim {

FirstTouchIndex::FirstTouchIndex(const PageProfile& profile, Mode mode)
    : profile_(&profile), n_(profile.accesses.size()), leaves_(1) {
  while (leaves_ < n_) leaves_ *= 2;
  tree_.assign(2 * leaves_, std::numeric_limits<std::int64_t>::max());
  const std::vector<PageAccess>& acc = profile.accesses;
  // A repeating profile's copy k sees copy k-1's last access (write) of each page, shifted back by a
  // cycle; the first copy has none before it, but its keys are then negative, below any start.
  touch_key_.resize(n_);
  write_key_.resize(n_);
  std::vector<std::int64_t> last_touch(profile.unique_pages(), kNone);
  std::vector<std::int64_t> last_write(profile.unique_pages(), kNone);
  if (profile.repeat) {
    const std::int64_t cycle = profile.cycle.us();
    for (const PageAccess& a : acc) {
      last_touch[a.slot] = a.offset_us - cycle;
      if (a.write) last_write[a.slot] = a.offset_us - cycle;
    }
  }
  for (std::size_t i = 0; i < n_; ++i) {
    const PageAccess& a = acc[i];
    touch_key_[i] = last_touch[a.slot];
    write_key_[i] = last_write[a.slot];
    last_touch[a.slot] = a.offset_us;
    if (a.write) last_write[a.slot] = a.offset_us;
  }
  for (std::size_t i = 0; i < n_; ++i) {
    tree_[leaves_ + i] = mode == Mode::kEveryAccess ? kNone : acc[i].write ? write_key_[i] : touch_key_[i];
  }
  for (std::size_t v = leaves_ - 1; v >= 1; --v) tree_[v] = std::min(tree_[2 * v], tree_[2 * v + 1]);
}

// Climbs from the leaf while everything to its right under the node is >= below, then descends
// into the leftmost subtree holding a smaller key: O(log of the distance to the answer).
std::size_t FirstTouchIndex::next(std::size_t from, std::int64_t below) const {
  if (from >= n_) return n_;
  std::size_t v = leaves_ + from;
  if (tree_[v] < below) return from;
  while (true) {
    if (v == 1) return n_;
    if ((v & 1) == 0 && tree_[v + 1] < below) {
      v = v + 1;
      break;
    }
    v >>= 1;
  }
  while (v < leaves_) v = tree_[2 * v] < below ? 2 * v : 2 * v + 1;
  const std::size_t i = v - leaves_;
  return i < n_ ? i : n_;
}

void FirstTouchCursor::start(const FirstTouchIndex& index, std::int64_t from_us) {
  index_ = &index;
  p_ = &index.profile();
  skipped_ = false;
  parked_ = false;
  if (p_->accesses.empty()) {
    i_ = 0;
    done_ = true;
    return;
  }
  const std::int64_t cycle = p_->cycle.us();
  base_ = p_->repeat ? from_us / cycle * cycle : 0;
  below_ = from_us - base_;
  i_ = p_->first_at_or_after(from_us - base_);
  done_ = false;
  seek();
  // The window's first access is always kept (nothing before it in the window): no skip before it.
  skipped_ = false;
}

void FirstTouchCursor::advance() {
  ++i_;
  seek();
}

void FirstTouchCursor::seek() {
  const std::size_t n = p_->accesses.size();
  const std::int64_t cycle = p_->cycle.us();
  const std::size_t want = i_;
  const std::int64_t want_base = base_;
  while (true) {
    i_ = index_->next(i_, below_);
    if (i_ < n) break;
    // The next copy keeps keys below below_ - cycle; none are when even the smallest key is not.
    if (!p_->repeat || index_->min_key() >= below_ - cycle) {
      done_ = true;
      return;
    }
    base_ += cycle;
    below_ -= cycle;
    i_ = 0;
  }
  // Skipped: the kept access is not the one right after the previous kept one.
  if (base_ == want_base) {
    skipped_ = i_ != want;
  } else {
    skipped_ = !(want == n && base_ == want_base + cycle && i_ == 0);
  }
}

std::int64_t FirstTouchCursor::skipped_until_us() const {
  assert(skipped_);
  if (i_ > 0) return base_ + p_->accesses[i_ - 1].offset_us;
  return base_ - p_->cycle.us() + p_->accesses.back().offset_us;
}

const FirstTouchIndex& FirstTouchIndexes::of(const PageProfile& profile, FirstTouchIndex::Mode mode) {
  std::unique_ptr<FirstTouchIndex>& slot = by_profile_[&profile];
  if (!slot) slot = std::make_unique<FirstTouchIndex>(profile, mode);
  return *slot;
}

}  // namespace jettison::sim
