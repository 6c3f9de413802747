// A page-access profile of an idle VM (traces/FORMAT.md): CSV `time,page,op`. Profiles are replayed
// many times (every idle period of every desktop assigned to them), so each is loaded once into a
// compact form: pages renumbered densely (slot 0..unique-1) so per-VM page sets stay small.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/time.hpp"

namespace jettison::traces {

struct PageAccess {
  std::int64_t offset_us;  // since the start of the idle period
  std::uint32_t slot;      // dense page index; gfn = PageProfile::gfns[slot]
  bool write;
};

struct PageProfile {
  std::string name;
  std::string source;
  std::vector<PageAccess> accesses;  // sorted by offset
  std::vector<std::uint64_t> gfns;   // slot -> guest page frame number
  std::vector<std::uint64_t> lines;  // slot -> line that first named the page (for range errors)
  std::unordered_map<std::uint64_t, std::uint32_t> slot_of;  // gfn -> slot
  std::uint64_t max_gfn = 0;
  Duration cycle;   // replay period when an idle period outlasts the profile
  bool repeat = true;

  std::uint32_t unique_pages() const { return static_cast<std::uint32_t>(gfns.size()); }
  std::optional<std::uint32_t> slot(std::uint64_t gfn) const {
    auto it = slot_of.find(gfn);
    if (it == slot_of.end()) return std::nullopt;
    return it->second;
  }
  // First access with offset >= t.
  std::size_t first_at_or_after(std::int64_t offset_us) const;
};

// Reads and checks a profile: header, three fields, times non-negative and non-decreasing, page a
// non-negative integer, op `r` or `w`. Errors name the file and line.
PageProfile read_page_profile(std::unique_ptr<std::istream> in, const std::string& source);

}  // namespace jettison::traces
