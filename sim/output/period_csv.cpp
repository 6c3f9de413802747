#include "sim/output/period_csv.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <iterator>

#include "common/period_csv.hpp"

namespace jettison::sim {

std::string_view period_header() { return jettison::period_csv_header(); }

std::string_view timeline_header() { return "strategy,desktop,period,time_s,state\n"; }

void write_period_row(OutputFile& out, std::string_view strategy, std::string_view desktop,
                      const PeriodRecord& r) {
  append_period_row(out.buffer(), period_row(strategy, desktop, r));
  out.flush_if_full();
}

void write_timeline_rows(OutputFile& out, std::string_view strategy, std::string_view desktop,
                         std::uint32_t period, const std::vector<StateChange>& changes) {
  auto it = std::back_inserter(out.buffer());
  for (const StateChange& c : changes) {
    const std::int64_t us = c.at.us();
    fmt::format_to(it, FMT_COMPILE("{},{},{},{}.{:06},{}\n"), strategy, desktop, period, us / 1'000'000,
                   us % 1'000'000, name_of(c.state));
  }
  out.flush_if_full();
}

}  // namespace jettison::sim
