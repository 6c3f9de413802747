#include "traces/tool/import_activity.hpp"

#include <fmt/format.h>

#include <unordered_set>
#include <vector>

#include "traces/io/csv_fields.hpp"
#include "traces/io/csv_lines.hpp"
#include "traces/io/idle_trace_reader.hpp"

namespace jettison::traces {

ImportResult import_activity(std::unique_ptr<std::istream> in, const std::string& name,
                             const ImportOptions& options, std::ostream& out) {
  CsvLines lines(*in, name);
  ImportedPeriods periods;
  ImportResult result;
  std::vector<std::string_view> f;
  if (!lines.next(f)) lines.fail("empty file: expected activity rows time,0/1,0/1,...");
  bool pending = true;  // `f` holds a data row not processed yet
  if (f[0] == "time") {
    std::unordered_set<std::string_view> seen;
    if (f.size() < 2) lines.fail("the header 'time' names no machine column");
    for (std::size_t i = 1; i < f.size(); ++i) {
      if (!valid_desktop_id(f[i])) {
        lines.fail(fmt::format("machine {} (column {}) must be 1-64 characters of A-Z a-z 0-9 _ - .",
                               quote_field(f[i]), i + 1));
      }
      if (!seen.insert(f[i]).second)
        lines.fail(fmt::format("machine '{}' is named twice in the header", f[i]));
      periods.add_machine(std::string(f[i]));
    }
    pending = false;
  } else {
    if (f.size() < 2) lines.fail("expected a time and at least one 0/1 column");
    for (std::size_t i = 1; i < f.size(); ++i) periods.add_machine(fmt::format("m{}", i));
  }
  const std::size_t n = periods.machines();
  std::vector<std::int64_t> idle_since(n, -1);  // start of the machine's current inactivity, or -1
  std::int64_t last = -1;
  while (pending || lines.next(f, n + 1)) {
    pending = false;
    if (f.size() != n + 1) {
      lines.fail(fmt::format("expected {} fields (time and {} machine{}), found {}", n + 1, n,
                             n == 1 ? "" : "s", lines.field_count()));
    }
    std::string why;
    const auto t = import_time_us(f[0], options.origin, why);
    if (!t) lines.fail(fmt::format("time {} {}", quote_field(f[0]), why));
    // "12.5 s", or with --origin "2026-03-02T09:15:00+01:00 (t = 33300 s)"
    const std::string shown = options.origin
                                  ? fmt::format("{} (t = {} s)", f[0], static_cast<double>(*t) / 1e6)
                                  : fmt::format("{} s", f[0]);
    if (*t <= last) {
      lines.fail(
          fmt::format("time {} is not after the previous row's {} s: rows must be sorted by time, one a "
                      "sample",
                      shown, static_cast<double>(last) / 1e6));
    }
    if (options.end_us && *t >= *options.end_us) {
      lines.fail(fmt::format("time {} is not before --end ({} s)", shown,
                             static_cast<double>(*options.end_us) / 1e6));
    }
    for (std::size_t i = 0; i < n; ++i) {
      const std::string_view v = f[i + 1];
      if (v == "0") {
        if (idle_since[i] < 0) idle_since[i] = *t;
      } else if (v == "1") {
        if (idle_since[i] >= 0) {
          periods.inactivity(static_cast<std::uint32_t>(i), idle_since[i], *t, options.threshold_us);
          idle_since[i] = -1;
        }
      } else {
        lines.fail(
            fmt::format("value {} in column {} is not 0 (inactive) or 1 (active)", quote_field(v), i + 2));
      }
    }
    last = *t;
    ++result.rows;
  }
  if (result.rows == 0) lines.fail("no activity rows after the header");
  const std::int64_t end = options.end_us ? *options.end_us : last + 1'000'000;
  for (std::size_t i = 0; i < n; ++i) {
    if (idle_since[i] >= 0)
      periods.inactivity(static_cast<std::uint32_t>(i), idle_since[i], end, options.threshold_us);
  }
  periods.write(out);
  result.machines = n;
  result.periods = periods.periods();
  return result;
}

}  // namespace jettison::traces
