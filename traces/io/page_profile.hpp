// A page-access profile of an idle VM (traces/FORMAT.md): CSV `time,page,op`, or the same rows in the
// binary format; either may be gzip or zstd compressed. Profiles are replayed
// many times (every idle period of every desktop assigned to them), so each is loaded once into a
// compact form: pages renumbered densely (slot 0..unique-1) so per-VM page sets stay small.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/time.hpp"
#include "traces/io/csv_lines.hpp"

namespace jettison::traces {

// One row of a page-access trace, as read.
struct PageRow {
  std::int64_t time_us = 0;
  std::uint64_t page = 0;
  bool write = false;
  std::uint64_t line = 0;  // CSV line, or binary record number
};

// Reads the rows of a page-access trace one at a time and rejects bad ones with "file:line: what is
// wrong" ("file:record N: ..." in a binary trace): header, three fields, times non-negative and
// non-decreasing, page a non-negative integer, op `r` or `w`; corrupt or truncated data; a line over
// kMaxLineBytes or with a NUL byte. Errors in one row are RowErrors (row_error.hpp): next() may be
// called again and reads on (a rejected row does not move the time on).
class PageTraceReader {
 public:
  // Detects compression and the binary format from the stream's first bytes.
  PageTraceReader(std::unique_ptr<std::istream> in, std::string name);
  ~PageTraceReader();
  PageTraceReader(const PageTraceReader&) = delete;
  PageTraceReader& operator=(const PageTraceReader&) = delete;

  bool next(PageRow& row);
  const std::string& name() const { return name_; }
  bool binary() const { return binary_ != nullptr; }
  std::string origin(std::uint64_t line) const;  // "file:12" or "file:record 12"

 private:
  class Binary;
  [[noreturn]] void fail(const std::string& message) const;

  std::unique_ptr<std::istream> in_;
  std::string name_;
  CsvLines lines_;                        // the CSV rows (unused for a binary trace)
  std::vector<std::string_view> fields_;  // the current line's
  std::int64_t last_ = 0;
  std::unique_ptr<Binary> binary_;
};

struct PageAccess {
  std::int64_t offset_us;  // since the profile's anchor (PageProfile::anchor)
  std::uint32_t slot;      // dense page index; gfn = PageProfile::gfns[slot]
  bool write;
};

// Where a profile's offset 0 lies when the simulator replays it (sim/MODEL.md, "Profile anchor"): at
// the idle period's start, or where the VM resumes on the server (the emulator's captures).
enum class ProfileAnchor { kIdleStart, kMigrationEnd };

struct PageProfile {
  std::string name;
  std::string source;
  std::vector<PageAccess> accesses;  // sorted by offset
  std::vector<std::uint64_t> gfns;   // slot -> guest page frame number
  std::vector<std::uint64_t> lines;  // slot -> line (binary: record) that first named the page
  bool binary = false;               // read from a binary trace: lines are record numbers
  std::unordered_map<std::uint64_t, std::uint32_t> slot_of;  // gfn -> slot
  std::uint64_t max_gfn = 0;
  Duration cycle;  // replay period when an idle period outlasts the profile
  bool repeat = true;
  ProfileAnchor anchor = ProfileAnchor::kIdleStart;

  std::uint32_t unique_pages() const { return static_cast<std::uint32_t>(gfns.size()); }
  std::optional<std::uint32_t> slot(std::uint64_t gfn) const {
    auto it = slot_of.find(gfn);
    if (it == slot_of.end()) return std::nullopt;
    return it->second;
  }
  // "file:12" ("file:record 12" for a binary trace): the row that first named the page of `slot`.
  std::string origin(std::uint32_t slot) const;
  // First access with offset >= t.
  std::size_t first_at_or_after(std::int64_t offset_us) const;
};

// Reads and checks a whole profile with a PageTraceReader. Errors name the file and line (record).
PageProfile read_page_profile(std::unique_ptr<std::istream> in, const std::string& source);

}  // namespace jettison::traces
