#include "traces/tool/import_periods.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/input_error.hpp"
#include "common/units.hpp"
#include "traces/io/csv_fields.hpp"
#include "traces/io/csv_writer.hpp"

namespace jettison::traces {

std::uint32_t ImportedPeriods::add_machine(std::string id) {
  ids_.push_back(std::move(id));
  return static_cast<std::uint32_t>(ids_.size() - 1);
}

void ImportedPeriods::inactivity(std::uint32_t machine, std::int64_t start_us, std::int64_t end_us,
                                 std::int64_t threshold_us) {
  if (end_us - start_us >= threshold_us && end_us > start_us) periods_.push_back({start_us, end_us, machine});
}

void ImportedPeriods::write(std::ostream& out) {
  std::sort(periods_.begin(), periods_.end(), [](const Period& a, const Period& b) {
    return a.start_us != b.start_us ? a.start_us < b.start_us : a.machine < b.machine;
  });
  IdleCsvWriter writer(out);
  for (const Period& p : periods_)
    writer.write(ids_[p.machine], Time::micros(p.start_us), Time::micros(p.end_us));
  writer.finish();
}

ImportOptions parse_import_options(const std::string& threshold, const std::string& end,
                                   const std::string& origin) {
  ImportOptions o;
  try {
    o.threshold_us = parse_duration(threshold).us();
  } catch (const UnitError& e) {
    throw InputError("--threshold", e.what());
  }
  if (o.threshold_us <= 0)
    throw InputError("--threshold", fmt::format("'{}' must be longer than 0 s", threshold));
  if (!origin.empty()) o.origin = parse_origin(origin);
  if (!end.empty()) {
    std::string why;
    o.end_us = import_time_us(end, o.origin, why);
    if (!o.end_us) {
      throw InputError("--end", o.origin ? fmt::format("{} {}", quote_field(end), why)
                                         : fmt::format("{} is not a non-negative number of seconds (as trace "
                                                       "times are written, e.g. 604800 or 3600.5)",
                                                       quote_field(end)));
    }
  }
  return o;
}

}  // namespace jettison::traces
