// The desktops of an idle trace numbered from 0 in the order they were added (a reader adds them in
// order of first appearance): number by name without copying the name, name by number.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace jettison::traces {

// Hashes std::string and std::string_view alike (lookups by a field without a copy).
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class DesktopNames {
 public:
  DesktopNames() = default;
  DesktopNames(const DesktopNames&) = delete;  // names_ points into numbers_
  DesktopNames& operator=(const DesktopNames&) = delete;
  DesktopNames(DesktopNames&&) = default;
  DesktopNames& operator=(DesktopNames&&) = default;

  std::optional<std::uint32_t> find(std::string_view name) const {
    const auto it = numbers_.find(name);
    if (it == numbers_.end()) return std::nullopt;
    return it->second;
  }
  // Adds a name not there yet; returns its number.
  std::uint32_t add(std::string_view name) {
    const auto n = static_cast<std::uint32_t>(names_.size());
    const auto it = numbers_.emplace(std::string(name), n).first;
    names_.push_back(&it->first);  // map nodes do not move
    return n;
  }
  const std::string& name(std::uint32_t number) const { return *names_[number]; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(names_.size()); }

 private:
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> numbers_;
  std::vector<const std::string*> names_;
};

}  // namespace jettison::traces
