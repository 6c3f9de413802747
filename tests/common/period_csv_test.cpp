// common/period_csv: periods.csv's columns, defined once. The header, a simulated record written in
// full (the bytes the simulator has always written), and a row with unknown fields left empty.
#include "common/period_csv.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace jettison {
namespace {

const std::string kHeader =
    "strategy,desktop,period,start_s,idle_s,window_s,outcome,energy_j,baseline_j,savings_pct,"
    "server_energy_j,migrated_bytes,fetched_pages,fetched_bytes,prefetched_pages,prefetch_used,"
    "reintegrated_bytes,network_bytes,dirty_pages,wakeups,migration_latency_s,return_latency_s,"
    "migration_latency_uncontended_s,server,t_active_s,t_idle_s,t_migrating_s,t_suspending_s,t_asleep_s,"
    "t_resuming_full_s,t_resuming_selective_s,t_serving_s\n";

TEST(PeriodCsv, Header) {
  EXPECT_EQ(period_csv_header(), kHeader);
  EXPECT_EQ(period_columns().size(), 24 + kPowerStateCount);
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
            "41943040,2,8192,1,1,100,41955428,7,2,3.835000,,,0,0.000000,0.000000,0.000000,0.000000,"
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
  EXPECT_EQ(out.str(), "emulated,d1,0,,,,,2.000,,,,,,,,,,,,4,,,,,,,,,,,,\n");
  const auto commas = [](const std::string& s) { return std::count(s.begin(), s.end(), ','); };
  EXPECT_EQ(commas(out.str()), commas(kHeader));
}

}  // namespace
}  // namespace jettison
