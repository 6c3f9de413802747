// Which accesses of a page-access profile can change a VM's page states. A window that starts at
// profile offset X has nothing touched yet, so an access changes something only if it is its page's
// first access since X (kTouched, or a fault) or, for a write, its page's first write since X
// (kDirty). With key(i) = the offset of the previous write of the page for a write, of the previous
// access of the page for a read (in the previous copy when a repeating profile wraps; none: -inf),
// access i at offset t_i >= X can change state iff key(i) < X. Built once per profile; a cursor then
// walks, for any start X, only those accesses, in time order (sim/MODEL.md, "Page replay").
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <unordered_map>
#include <vector>

#include "sim/trace/page_profile.hpp"

namespace jettison::sim {

class FirstTouchIndex {
 public:
  enum class Mode {
    kFirstTouches,  // only the accesses that can change state (the simulator's)
    kEveryAccess,   // every access: the plain replay, kept as the reference for tests
  };
  static constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::min();

  FirstTouchIndex(const PageProfile& profile, Mode mode);

  const PageProfile& profile() const { return *profile_; }
  std::size_t size() const { return n_; }
  std::int64_t key(std::size_t i) const { return tree_[leaves_ + i]; }
  std::int64_t min_key() const { return tree_[1]; }
  // The first access i >= from with key(i) < below; size() if none.
  std::size_t next(std::size_t from, std::int64_t below) const;
  // The offset of the previous access (touch_key) and of the previous write (write_key) of access i's
  // page, as key() in kFirstTouches mode whatever the mode: access i at offset >= X is its page's
  // first access since X iff touch_key(i) < X, and its first write since X iff it writes and
  // write_key(i) < X.
  std::int64_t touch_key(std::size_t i) const { return touch_key_[i]; }
  std::int64_t write_key(std::size_t i) const { return write_key_[i]; }

 private:
  const PageProfile* profile_;
  std::size_t n_;
  std::vector<std::int64_t> touch_key_;
  std::vector<std::int64_t> write_key_;
  std::size_t leaves_;              // a power of two >= n_
  std::vector<std::int64_t> tree_;  // min-tree over the keys: node v covers 2v and 2v+1; leaves at leaves_+i
};

// Walks the accesses a FirstTouchIndex keeps from a start offset on, across the copies of a
// repeating profile, like a replay of the whole profile that skips what cannot change state.
class FirstTouchCursor {
 public:
  // Positions at the first kept access with offset >= from_us (a window starting at from_us).
  void start(const FirstTouchIndex& index, std::int64_t from_us);
  bool done() const { return done_; }
  std::int64_t offset_us() const { return base_ + p_->accesses[i_].offset_us; }
  const PageAccess& access() const { return p_->accesses[i_]; }
  void advance();
  // This access is its page's first since the start (first_touch), or its first write (first_write).
  bool first_touch() const { return index_->touch_key(i_) < below_; }
  bool first_write() const { return p_->accesses[i_].write && index_->write_key(i_) < below_; }
  // Accesses were skipped between the previous kept access and this one.
  bool skipped_before() const { return skipped_; }
  // The offset of the access just before this one in the whole replay (valid if skipped_before()).
  std::int64_t skipped_until_us() const;
  // A replay driven by events may stand at the last skipped access (its event stands in for the
  // skipped ones' place in the event order): park() says so, unpark() whether it was.
  void park() { parked_ = true; }
  bool parked() const { return parked_; }
  bool unpark() {
    const bool was = parked_;
    parked_ = false;
    return was;
  }

 private:
  void seek();  // from (base_, i_) to the next kept access
  const FirstTouchIndex* index_ = nullptr;
  const PageProfile* p_ = nullptr;
  std::size_t i_ = 0;
  std::int64_t base_ = 0;   // offset of the current copy
  std::int64_t below_ = 0;  // keep keys below this (offset X relative to the current copy)
  bool done_ = true;
  bool skipped_ = false;
  bool parked_ = false;
};

// The indexes of the profiles a run uses, built on first use.
class FirstTouchIndexes {
 public:
  const FirstTouchIndex& of(const PageProfile& profile, FirstTouchIndex::Mode mode);

 private:
  std::unordered_map<const PageProfile*, std::unique_ptr<FirstTouchIndex>> by_profile_;
};

}  // namespace jettison::sim
