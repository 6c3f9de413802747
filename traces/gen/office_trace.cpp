#include "traces/gen/office_trace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "common/rng.hpp"
#include "traces/io/csv_writer.hpp"

namespace jettison::traces {

std::size_t write_office_trace(const OfficeModel& model, std::uint64_t seed, std::uint32_t desktops,
                               std::uint32_t days, std::ostream& out) {
  struct Row {
    std::int64_t start_ms;
    std::int64_t end_ms;
    std::uint32_t desktop;
  };
  std::vector<Row> rows;
  rows.reserve(static_cast<std::size_t>(desktops) * days * 12);
  for (std::uint32_t i = 0; i < desktops; ++i) {
    RandomStream rng(seed, fmt::format("idle:{}", i));
    for (const IdleSpan& s : model.desktop_periods(rng, static_cast<int>(days)))
      rows.push_back({s.start_ms, s.end_ms, i});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.start_ms != b.start_ms ? a.start_ms < b.start_ms : a.desktop < b.desktop;
  });
  const int width =
      std::max(2, static_cast<int>(fmt::formatted_size("{}", desktops == 0 ? 0 : desktops - 1)));
  IdleCsvWriter writer(out);
  std::string id;
  for (const Row& r : rows) {
    id.clear();
    fmt::format_to(std::back_inserter(id), "d{:0{}}", r.desktop, width);
    writer.write(id, Time::micros(r.start_ms * 1000), Time::micros(r.end_ms * 1000));
  }
  writer.finish();
  return rows.size();
}

}  // namespace jettison::traces
