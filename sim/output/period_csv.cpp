#include "sim/output/period_csv.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "common/period_csv.hpp"

namespace jettison::sim {
namespace {

std::string seconds(Duration d) { return fmt::format("{}.{:06}", d.us() / 1'000'000, d.us() % 1'000'000); }
std::string seconds(Time t) { return seconds(t - Time{}); }

}  // namespace

void write_period_header(std::ostream& out) { jettison::write_period_header(out); }

void write_timeline_header(std::ostream& out) { out << "strategy,desktop,period,time_s,state\n"; }

void write_timeline_rows(std::ostream& out, std::string_view strategy, std::string_view desktop,
                         std::uint32_t period, const std::vector<StateChange>& changes) {
  fmt::memory_buffer b;
  for (const StateChange& c : changes) {
    fmt::format_to(std::back_inserter(b), "{},{},{},{},{}\n", strategy, desktop, period, seconds(c.at),
                   name_of(c.state));
  }
  out.write(b.data(), static_cast<std::streamsize>(b.size()));
}

void write_period_row(std::ostream& out, std::string_view strategy, std::string_view desktop,
                      const PeriodRecord& r) {
  jettison::write_period_row(out, period_row(strategy, desktop, r));
}

}  // namespace jettison::sim
