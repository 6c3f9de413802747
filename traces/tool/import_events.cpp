#include "traces/tool/import_events.hpp"

#include <fmt/format.h>

#include <unordered_map>
#include <vector>

#include "traces/io/csv_fields.hpp"
#include "traces/io/csv_lines.hpp"
#include "traces/io/idle_trace_reader.hpp"

namespace jettison::traces {

ImportResult import_events(std::unique_ptr<std::istream> in, const std::string& name,
                           const ImportOptions& options, std::ostream& out) {
  CsvLines lines(*in, name);
  ImportedPeriods periods;
  ImportResult result;
  std::unordered_map<std::string, std::uint32_t> index;
  std::vector<std::int64_t> last_event;  // per machine
  std::vector<std::string_view> f;
  std::int64_t start = -1, last = -1;
  bool first_line = true;
  while (lines.next(f, 2)) {
    const bool header = first_line && f[0] == "time";
    first_line = false;
    if (header) {
      if (f.size() != 2 || f[1] != "machine") lines.fail("the header must be 'time,machine'");
      continue;
    }
    if (f.size() != 2)
      lines.fail(fmt::format("expected 2 fields (time,machine), found {}", lines.field_count()));
    std::string why;
    const auto t = import_time_us(f[0], options.origin, why);
    if (!t) lines.fail(fmt::format("time {} {}", quote_field(f[0]), why));
    // "12.5 s", or with --origin "2026-03-02T09:15:00+01:00 (t = 33300 s)"
    const std::string shown = options.origin
                                  ? fmt::format("{} (t = {} s)", f[0], static_cast<double>(*t) / 1e6)
                                  : fmt::format("{} s", f[0]);
    if (*t < last) {
      lines.fail(fmt::format("time {} is before the previous row's {} s: events must be sorted by time",
                             shown, static_cast<double>(last) / 1e6));
    }
    if (options.end_us && *t > *options.end_us) {
      lines.fail(
          fmt::format("time {} is after --end ({} s)", shown, static_cast<double>(*options.end_us) / 1e6));
    }
    if (!valid_desktop_id(f[1])) {
      lines.fail(fmt::format("machine {} must be 1-64 characters of A-Z a-z 0-9 _ - .", quote_field(f[1])));
    }
    if (start < 0) start = *t;
    last = *t;
    ++result.rows;
    auto [it, fresh] = index.try_emplace(std::string(f[1]), 0);
    if (fresh) {
      it->second = periods.add_machine(it->first);
      last_event.push_back(start);  // idle since the log's start
    }
    periods.inactivity(it->second, last_event[it->second], *t, options.threshold_us);
    last_event[it->second] = *t;
  }
  if (result.rows == 0) lines.fail("no events: expected rows time,machine");
  const std::int64_t end = options.end_us ? *options.end_us : last;
  for (std::uint32_t i = 0; i < last_event.size(); ++i)
    periods.inactivity(i, last_event[i], end, options.threshold_us);
  periods.write(out);
  result.machines = periods.machines();
  result.periods = periods.periods();
  return result;
}

}  // namespace jettison::traces
