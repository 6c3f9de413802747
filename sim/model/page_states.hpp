// Where each of a VM's pages (dense slots of its profile) stands during a partial migration: on the
// server or not, dirtied there, prefetched and not yet used, touched by the VM. One byte a page plus
// the list of pages that have any flag, so a new period starts clean in time proportional to what
// the last one touched. Their heap bytes count as page state of a hosted VM (page_state_gauge.hpp).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "sim/model/page_state_gauge.hpp"

namespace jettison::sim {

class PageStates {
 public:
  static constexpr std::uint8_t kResident = 1;    // on the server (or on its way)
  static constexpr std::uint8_t kDirty = 2;       // written on the server
  static constexpr std::uint8_t kPrefetched = 4;  // arrived by prefetch, not used yet
  static constexpr std::uint8_t kTouched = 8;     // accessed by the VM on the server

  PageStates() = default;
  PageStates(const PageStates& o) : flags_(o.flags_), members_(o.members_) { account(); }
  PageStates& operator=(const PageStates& o) {
    flags_ = o.flags_;
    members_ = o.members_;
    account();
    return *this;
  }
  ~PageStates() { PageStateGauge::add(-accounted_); }

  void reset(std::uint32_t slots) {
    for (std::uint32_t s : members_) flags_[s] = 0;
    members_.clear();
    if (flags_.size() != slots) flags_.assign(slots, 0);
    account();
  }
  std::uint8_t get(std::uint32_t slot) const { return flags_[slot]; }
  bool has(std::uint32_t slot, std::uint8_t f) const { return (flags_[slot] & f) != 0; }
  void set(std::uint32_t slot, std::uint8_t f) {
    if (flags_[slot] == 0) {
      members_.push_back(slot);
      if (members_.capacity() * sizeof(std::uint32_t) + flags_.capacity() !=
          static_cast<std::size_t>(accounted_))
        account();
    }
    flags_[slot] |= f;
  }
  void clear(std::uint32_t slot, std::uint8_t f) { flags_[slot] &= static_cast<std::uint8_t>(~f); }
  // Slots with any flag, in the order they first got one.
  const std::vector<std::uint32_t>& members() const { return members_; }
  std::uint64_t count(std::uint8_t f) const {
    std::uint64_t n = 0;
    for (std::uint32_t s : members_) n += (flags_[s] & f) ? 1 : 0;
    return n;
  }

 private:
  // Puts the arrays' heap bytes on the page-state gauge (sim/model/page_state_gauge.hpp).
  void account() {
    const auto bytes =
        static_cast<std::int64_t>(flags_.capacity() + members_.capacity() * sizeof(std::uint32_t));
    PageStateGauge::add(bytes - std::exchange(accounted_, bytes));
  }

  std::vector<std::uint8_t> flags_;
  std::vector<std::uint32_t> members_;
  std::int64_t accounted_ = 0;  // what is on the gauge
};

}  // namespace jettison::sim
