// common/period_csv: periods.csv's columns, defined once. The header, a simulated record written in
// full (the bytes the simulator has always written), and a row with unknown fields left empty.
#include "common/period_csv.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

namespace jettison {
namespace {

const std::string kHeader =
    "strategy,desktop,period,start_s,idle_s,window_s,outcome,energy_j,baseline_j,savings_pct,"
    "server_energy_j,proxy_energy_j,migrated_bytes,fetched_pages,fetched_bytes,prefetched_pages,"
    "prefetch_used,"
    "reintegrated_bytes,network_bytes,dirty_pages,wakeups,migration_latency_s,return_latency_s,"
    "migration_latency_uncontended_s,server,t_active_s,t_idle_s,t_migrating_s,t_suspending_s,t_asleep_s,"
    "t_resuming_full_s,t_resuming_selective_s,t_serving_s\n";

TEST(PeriodCsv, Header) {
  EXPECT_EQ(period_csv_header(), kHeader);
  EXPECT_EQ(period_columns().size(), 25 + kPowerStateCount);
  std::ostringstream out;
  write_period_header(out);
  EXPECT_EQ(out.str(), kHeader);
}

TEST(PeriodCsv, SimulatedRecordInFull) {
  PeriodRecord r;
  r.desktop = 1;
  r.period = 3;
  r.start = Time::micros(12'500'000);
  r.idle = Duration::seconds(600);
  r.window = Duration::micros(602'270'000);
  r.state_time[index_of(PowerState::kAsleep)] = Duration::micros(590'000'001);
  r.energy = Energy::joules(1234.5678);
  r.baseline = Energy::joules(61260);
  r.server_energy = Energy::joules(0.25);
  r.migrated = Bytes::of(41'943'040);
  r.fetched = Bytes::of(8192);
  r.prefetched = Bytes::of(4096);
  r.reintegrated = Bytes::of(100);
  r.fetched_pages = 2;
  r.prefetched_pages = 1;
  r.prefetch_used = 1;
  r.dirty_pages = 7;
  r.wakeups = 2;
  r.migration_latency = Duration::micros(3'835'000);
  r.server = 0;
  r.outcome = Outcome::kMigrated;
  std::ostringstream out;
  write_period_row(out, period_row("partial", "d01", r));
  // savings = 100 x (1 - 1234.5678 / 61260) = 97.9847...; network = 41943040 + 8192 + 4096 + 100.
  EXPECT_EQ(out.str(),
            "partial,d01,3,12.500000,600.000000,602.270000,migrated,1234.568,61260.000,97.9847,0.250,"
            "0.000,41943040,2,8192,1,1,100,41955428,7,2,3.835000,,,0,0.000000,0.000000,0.000000,0.000000,"
            "590.000001,0.000000,0.000000,0.000000\n");
  r.server = -1;
  r.baseline = Energy{};  // no baseline: savings 0
  std::ostringstream none;
  write_period_row(none, period_row("partial", "d01", r));
  EXPECT_NE(none.str().find(",0.000,0.0000,"), std::string::npos) << none.str();
  EXPECT_NE(none.str().find(",3.835000,,,,0.000000"), std::string::npos) << none.str();
}

TEST(PeriodCsv, UnknownFieldsAreEmptyCells) {
  PeriodRow row;
  row.strategy = "emulated";
  row.desktop = "d1";
  row.energy = Energy::joules(2);  // no baseline: no savings either
  row.wakeups = 4;
  std::ostringstream out;
  write_period_row(out, row);
  EXPECT_EQ(out.str(), "emulated,d1,0,,,,,2.000,,,,,,,,,,,,,4,,,,,,,,,,,,\n");
  const auto commas = [](const std::string& s) { return std::count(s.begin(), s.end(), ','); };
  EXPECT_EQ(commas(out.str()), commas(kHeader));
}

// The cells of one row, split at commas (no cell here holds one).
std::vector<std::string> cells(const fmt::memory_buffer& b) {
  std::vector<std::string> out(1);
  for (char c : std::string_view(b.data(), b.size() - 1)) {  // without the newline
    if (c == ',')
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

// The row formatter renders numbers digit by digit (fast paths) for speed; its text must be
// fmt::format's, which the files have always held: "{:.3f}" for energies, "{:.4f}" for savings,
// "{}.{:06}" for seconds, "{}" for counts. Checked on random values of every magnitude the columns
// see, on exact binary ties (k/2^n: 0.0625 x 1000 = 62.5), on values one ulp from ties, on negative
// savings, -0.0, and huge values that take fmt's own path.
TEST(PeriodCsv, NumbersAreRenderedAsFmtRendersThem) {
  std::mt19937_64 rng(15);
  std::vector<double> values = {0.0,    -0.0,       0.0005,      0.00049999999999999999,
                                0.0625, 1.0625,     2.5e-4,      1e12,
                                1.5e15, 9.999999e9, 123456.7895, 0.1,
                                0.7,    1e-300,     5e-324};
  for (int i = 0; i < 200'000; ++i) {
    const double mag = std::ldexp(1.0, static_cast<int>(rng() % 60) - 20);  // 2^-20 .. 2^39
    values.push_back(std::uniform_real_distribution<double>(0, mag)(rng));
    const double tie = static_cast<double>(rng() % 100'000'000) / 2000.0;  // k/2000: x.xxx5 in decimal
    values.push_back(tie);
    values.push_back(std::nextafter(tie, 0.0));
    values.push_back(std::nextafter(tie, 1e300));
    values.push_back(static_cast<double>(rng() % 1'000'000) / 64.0);  // exact binary fractions
  }
  const auto& columns = period_columns();
  const auto kWakeups =
      static_cast<std::size_t>(std::find(columns.begin(), columns.end(), "wakeups") - columns.begin());
  ASSERT_LT(kWakeups, columns.size());
  std::size_t checked = 0;
  for (double v : values) {
    PeriodRow row;
    row.energy = Energy::joules(v);
    row.baseline = Energy::joules(std::fabs(v) * 0.75 + 1e-3);  // energy > baseline: negative savings
    row.start = Duration::micros(static_cast<std::int64_t>(rng() % 4'000'000'000'000ULL));
    row.wakeups = rng();
    fmt::memory_buffer b;
    append_period_row(b, row);
    const auto c = cells(b);
    ASSERT_EQ(c.size(), period_columns().size());
    const double savings = 100.0 * (1.0 - *row.energy / *row.baseline);
    ASSERT_EQ(c[7], fmt::format("{:.3f}", v)) << v;
    ASSERT_EQ(c[8], fmt::format("{:.3f}", row.baseline->joules())) << v;
    ASSERT_EQ(c[9], fmt::format("{:.4f}", savings)) << savings;
    ASSERT_EQ(c[3], fmt::format("{}.{:06}", row.start->us() / 1'000'000, row.start->us() % 1'000'000));
    ASSERT_EQ(c[kWakeups], fmt::format("{}", *row.wakeups));
    ++checked;
  }
  EXPECT_EQ(checked, values.size());
}

}  // namespace
}  // namespace jettison
