#include "traces/io/page_profile.hpp"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "common/input_error.hpp"
#include "traces/io/csv_fields.hpp"

namespace jettison::traces {

std::size_t PageProfile::first_at_or_after(std::int64_t offset_us) const {
  auto it = std::lower_bound(accesses.begin(), accesses.end(), offset_us,
                             [](const PageAccess& a, std::int64_t t) { return a.offset_us < t; });
  return static_cast<std::size_t>(it - accesses.begin());
}

PageProfile read_page_profile(std::unique_ptr<std::istream> in, const std::string& source) {
  PageProfile p;
  p.source = source;
  std::string line;
  std::uint64_t line_no = 0;
  auto fail = [&](const std::string& message) {
    throw InputError(fmt::format("{}:{}", source, line_no), message);
  };
  ++line_no;
  if (!std::getline(*in, line)) fail("empty file: expected the header 'time,page,op'");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  if (line != "time,page,op") {
    fail(fmt::format("missing header: the first line must be 'time,page,op', found {}", quote_field(line)));
  }
  auto& slots = p.slot_of;
  std::vector<std::string_view> f;
  std::int64_t last = 0;
  while (std::getline(*in, line)) {
    ++line_no;
    if (line.empty() || line == "\r") continue;
    split_csv(line, f);
    if (f.size() != 3) fail(fmt::format("expected 3 fields (time,page,op), found {}", f.size()));
    const auto t = parse_seconds_us(f[0]);
    if (!t) fail(fmt::format("time {} is not a non-negative number of seconds", quote_field(f[0])));
    if (*t < last) {
      fail(fmt::format("time {} s is before the previous row's {} s: rows must be sorted by time", f[0],
                       static_cast<double>(last) / 1e6));
    }
    last = *t;
    const auto gfn = parse_unsigned(f[1]);
    if (!gfn) fail(fmt::format("page {} is not a non-negative integer page frame number", quote_field(f[1])));
    bool write = false;
    if (f[2] == "w") {
      write = true;
    } else if (f[2] != "r") {
      fail(fmt::format("op {} is unknown: use 'r' (read) or 'w' (write)", quote_field(f[2])));
    }
    auto [it, fresh] = slots.try_emplace(*gfn, static_cast<std::uint32_t>(p.gfns.size()));
    if (fresh) {
      p.gfns.push_back(*gfn);
      p.lines.push_back(line_no);
      p.max_gfn = std::max(p.max_gfn, *gfn);
    }
    p.accesses.push_back({*t, it->second, write});
  }
  if (in->bad()) fail("read error");
  // Default replay period: the whole second after the last access.
  const std::int64_t last_us = p.accesses.empty() ? 0 : p.accesses.back().offset_us;
  p.cycle = Duration::seconds(last_us / 1'000'000 + 1);
  return p;
}

}  // namespace jettison::traces
