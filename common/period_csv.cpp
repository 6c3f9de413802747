#include "common/period_csv.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <iterator>

namespace jettison {
namespace {

using Buffer = fmt::memory_buffer;

// Numbers without parsing a format at each cell: integers through fmt::format_int; fixed-point
// values as an integer count of their last decimal, rendered digit by digit. Each gives the text
// fmt::format gives ("{}", "{}.{:06}", "{:.3f}", "{:.4f}"; tests/common/period_csv_test.cpp checks
// them against it on random and tie values).
template <typename Int>
void put_int(Buffer& b, Int v) {
  const fmt::format_int text(v);
  b.append(text.data(), text.data() + text.size());
}

// `units` / 10^decimals with exactly `decimals` digits after the point.
void put_scaled(Buffer& b, std::uint64_t units, int decimals, bool negative) {
  char text[32];
  char* const end = text + sizeof text;
  char* p = end;
  for (int i = 0; i < decimals; ++i, units /= 10) *--p = static_cast<char>('0' + units % 10);
  *--p = '.';
  do {
    *--p = static_cast<char>('0' + units % 10);
    units /= 10;
  } while (units > 0);
  if (negative) *--p = '-';
  b.append(p, end);
}

void put_seconds(Buffer& b, Duration d) {
  const std::int64_t us = d.us();
  if (us < 0) {  // rare: keep the historical rendering of a negative value
    fmt::format_to(std::back_inserter(b), FMT_COMPILE("{}.{:06}"), us / 1'000'000, us % 1'000'000);
    return;
  }
  put_scaled(b, static_cast<std::uint64_t>(us), 6, false);
}

// x with `decimals` (3 or 4) digits, rounded as fmt rounds (to nearest, on x's exact binary value).
// m = |x| x 10^decimals is computed with one rounding, so |m - exact| <= ulp(m)/2 <= 2^-13 below 2^40;
// when m is further than 2^-12 from a half-integer, the exact value rounds to the same integer as m.
// Otherwise (near ties, huge values, NaN, infinities) fmt does it.
void put_fixed(Buffer& b, double x, int decimals) {
  const double scale = decimals == 3 ? 1e3 : 1e4;
  const bool negative = std::signbit(x);
  const double m = std::fabs(x) * scale;
  if (m < 0x1p40) {
    const double r = std::nearbyint(m);
    if (std::fabs(m - r) < 0.5 - 0x1p-12) {
      put_scaled(b, static_cast<std::uint64_t>(r), decimals, negative);
      return;
    }
  }
  if (decimals == 3)
    fmt::format_to(std::back_inserter(b), FMT_COMPILE("{:.3f}"), x);
  else
    fmt::format_to(std::back_inserter(b), FMT_COMPILE("{:.4f}"), x);
}

void put(Buffer& b, const std::optional<Duration>& d) {
  if (d) put_seconds(b, *d);
}
void put(Buffer& b, const std::optional<std::uint64_t>& v) {
  if (v) put_int(b, *v);
}
void put(Buffer& b, const std::optional<Bytes>& v) {
  if (v) put_int(b, v->count());
}
void put(Buffer& b, const std::optional<Energy>& e) {
  if (e) put_fixed(b, e->joules(), 3);
}
void put(Buffer& b, std::string_view s) { b.append(s.data(), s.data() + s.size()); }

// A column: its name and how a row's cell is written.
struct Column {
  std::string_view name;
  void (*write)(Buffer&, const PeriodRow&);
};

// The fixed columns, in file order; the state-time columns follow.
const std::array kColumns{
    Column{"strategy", [](Buffer& b, const PeriodRow& r) { put(b, r.strategy); }},
    Column{"desktop", [](Buffer& b, const PeriodRow& r) { put(b, r.desktop); }},
    Column{"period", [](Buffer& b, const PeriodRow& r) { put_int(b, r.period); }},
    Column{"start_s", [](Buffer& b, const PeriodRow& r) { put(b, r.start); }},
    Column{"idle_s", [](Buffer& b, const PeriodRow& r) { put(b, r.idle); }},
    Column{"window_s", [](Buffer& b, const PeriodRow& r) { put(b, r.window); }},
    Column{"outcome",
           [](Buffer& b, const PeriodRow& r) {
             if (r.outcome) put(b, name_of(*r.outcome));
           }},
    Column{"energy_j", [](Buffer& b, const PeriodRow& r) { put(b, r.energy); }},
    Column{"baseline_j", [](Buffer& b, const PeriodRow& r) { put(b, r.baseline); }},
    Column{"savings_pct",
           [](Buffer& b, const PeriodRow& r) {
             if (!r.energy || !r.baseline) return;
             const double savings = r.baseline->joules() > 0 ? 100.0 * (1.0 - *r.energy / *r.baseline) : 0.0;
             put_fixed(b, savings, 4);
           }},
    Column{"server_energy_j", [](Buffer& b, const PeriodRow& r) { put(b, r.server_energy); }},
    Column{"proxy_energy_j", [](Buffer& b, const PeriodRow& r) { put(b, r.proxy_energy); }},
    Column{"migrated_bytes", [](Buffer& b, const PeriodRow& r) { put(b, r.migrated); }},
    Column{"fetched_pages", [](Buffer& b, const PeriodRow& r) { put(b, r.fetched_pages); }},
    Column{"fetched_bytes", [](Buffer& b, const PeriodRow& r) { put(b, r.fetched); }},
    Column{"prefetched_pages", [](Buffer& b, const PeriodRow& r) { put(b, r.prefetched_pages); }},
    Column{"prefetch_used", [](Buffer& b, const PeriodRow& r) { put(b, r.prefetch_used); }},
    Column{"reintegrated_bytes", [](Buffer& b, const PeriodRow& r) { put(b, r.reintegrated); }},
    Column{"network_bytes", [](Buffer& b, const PeriodRow& r) { put(b, r.network); }},
    Column{"dirty_pages", [](Buffer& b, const PeriodRow& r) { put(b, r.dirty_pages); }},
    Column{"wakeups", [](Buffer& b, const PeriodRow& r) { put(b, r.wakeups); }},
    Column{"migration_latency_s", [](Buffer& b, const PeriodRow& r) { put(b, r.migration_latency); }},
    Column{"return_latency_s", [](Buffer& b, const PeriodRow& r) { put(b, r.return_latency); }},
    Column{"migration_latency_uncontended_s",
           [](Buffer& b, const PeriodRow& r) { put(b, r.migration_latency_uncontended); }},
    Column{"server",
           [](Buffer& b, const PeriodRow& r) {
             if (r.server) put_int(b, *r.server);
           }},
};

}  // namespace

PeriodRow period_row(std::string_view strategy, std::string_view desktop, const PeriodRecord& r) {
  PeriodRow row;
  row.strategy = strategy;
  row.desktop = desktop;
  row.period = r.period;
  row.start = r.start - Time{};
  row.idle = r.idle;
  row.window = r.window;
  row.outcome = r.outcome;
  row.energy = r.energy;
  row.baseline = r.baseline;
  row.server_energy = r.server_energy;
  row.proxy_energy = r.proxy_energy;
  row.migrated = r.migrated;
  row.fetched_pages = r.fetched_pages;
  row.fetched = r.fetched;
  row.prefetched_pages = r.prefetched_pages;
  row.prefetch_used = r.prefetch_used;
  row.reintegrated = r.reintegrated;
  row.network = r.network();
  row.dirty_pages = r.dirty_pages;
  row.wakeups = r.wakeups;
  row.migration_latency = r.migration_latency;
  row.return_latency = r.return_latency;
  row.migration_latency_uncontended = r.migration_latency_uncontended;
  if (r.server >= 0) row.server = static_cast<std::uint32_t>(r.server);
  row.state_time = r.state_time;
  return row;
}

const std::vector<std::string>& period_columns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> out;
    for (const Column& c : kColumns) out.emplace_back(c.name);
    for (std::string_view s : kPowerStateNames) out.push_back(fmt::format("t_{}_s", s));
    return out;
  }();
  return columns;
}

const std::string& period_csv_header() {
  static const std::string header = [] {
    std::string h;
    for (const std::string& c : period_columns()) h += (h.empty() ? "" : ",") + c;
    return h + '\n';
  }();
  return header;
}

void write_period_header(std::ostream& out) { out << period_csv_header(); }

void append_period_row(fmt::memory_buffer& b, const PeriodRow& row) {
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    if (i > 0) b.push_back(',');
    kColumns[i].write(b, row);
  }
  for (std::size_t i = 0; i < kPowerStateCount; ++i) {
    b.push_back(',');
    if (row.state_time) put_seconds(b, (*row.state_time)[i]);
  }
  b.push_back('\n');
}

void write_period_row(std::ostream& out, const PeriodRow& row) {
  Buffer b;
  append_period_row(b, row);
  out.write(b.data(), static_cast<std::streamsize>(b.size()));
}

}  // namespace jettison
