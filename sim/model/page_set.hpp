// A set of a VM's pages by dense slot (see PageProfile): a bitset for O(1) membership plus the list
// of members, so clearing costs the number of members, not the size of the VM.
#pragma once

#include <cstdint>
#include <vector>

namespace jettison::sim {

class PageSet {
 public:
  void resize(std::uint32_t slots) {
    clear();
    bits_.assign((slots + 63) / 64, 0);
  }
  bool contains(std::uint32_t slot) const { return (bits_[slot >> 6] >> (slot & 63)) & 1U; }
  // Adds `slot`; true if it was not there yet.
  bool insert(std::uint32_t slot) {
    std::uint64_t& word = bits_[slot >> 6];
    const std::uint64_t bit = std::uint64_t{1} << (slot & 63);
    if (word & bit) return false;
    word |= bit;
    members_.push_back(slot);
    return true;
  }
  std::uint64_t size() const { return members_.size(); }
  void clear() {
    for (std::uint32_t s : members_) bits_[s >> 6] = 0;
    members_.clear();
  }

 private:
  std::vector<std::uint64_t> bits_;
  std::vector<std::uint32_t> members_;
};

}  // namespace jettison::sim
