// The desktops of an idle trace numbered from 0 in the order they were added (a reader adds them in
// order of first appearance): number by name without copying the name, name by number.
//
// An open-addressing table of numbers over the names themselves (linear probing, at most half full):
// about 40 bytes a desktop (the name's std::string and two 4-byte slots), and a lookup touches one
// slot and one name in the common case, where a node-based map chases two pointers.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jettison::traces {

// Hashes std::string and std::string_view alike (lookups by a field without a copy).
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class DesktopNames {
 public:
  std::optional<std::uint32_t> find(std::string_view name) const {
    if (slots_.empty()) return std::nullopt;
    for (std::size_t i = StringHash{}(name)&mask();; i = (i + 1) & mask()) {
      const std::uint32_t s = slots_[i];
      if (s == kEmpty) return std::nullopt;
      if (names_[s - 1] == name) return s - 1;
    }
  }
  // Adds a name not there yet; returns its number.
  std::uint32_t add(std::string_view name) {
    const auto n = static_cast<std::uint32_t>(names_.size());
    names_.emplace_back(name);
    if (2 * names_.size() > slots_.size()) {
      rehash(slots_.empty() ? 16 : 2 * slots_.size());
    } else {
      place(n);
    }
    return n;
  }
  const std::string& name(std::uint32_t number) const { return names_[number]; }
  // Every name, by number.
  const std::vector<std::string>& names() const { return names_; }
  // Gives back the room the names' vector grew into (up to half of it) once no name is to be added.
  void shrink_to_fit() { names_.shrink_to_fit(); }
  std::uint32_t size() const { return static_cast<std::uint32_t>(names_.size()); }

 private:
  static constexpr std::uint32_t kEmpty = 0;  // slots hold number + 1
  std::size_t mask() const { return slots_.size() - 1; }
  void place(std::uint32_t n) {
    std::size_t i = StringHash{}(names_[n]) & mask();
    while (slots_[i] != kEmpty) i = (i + 1) & mask();
    slots_[i] = n + 1;
  }
  void rehash(std::size_t slots) {
    slots_.assign(slots, kEmpty);
    for (std::uint32_t n = 0; n < names_.size(); ++n) place(n);
  }

  std::vector<std::string> names_;
  std::vector<std::uint32_t> slots_;  // a power of two of them
};

}  // namespace jettison::traces
