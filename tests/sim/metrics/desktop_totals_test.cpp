// DesktopTotals adds up exactly what Totals adds up for the figures desktops.csv reports, in the same
// order (bit-identical doubles), from random records of every outcome.
#include "sim/metrics/desktop_totals.hpp"

#include <gtest/gtest.h>

#include <random>

#include "sim/metrics/strategy_totals.hpp"

namespace jettison::sim {
namespace {

PeriodRecord random_record(std::mt19937_64& rng) {
  auto u = [&](std::uint64_t n) { return rng() % n; };
  PeriodRecord r;
  r.idle = Duration::micros(static_cast<std::int64_t>(1 + u(10'000'000'000)));
  r.window = r.idle + Duration::micros(static_cast<std::int64_t>(u(30'000'000)));
  r.state_time[index_of(PowerState::kAsleep)] = Duration::micros(static_cast<std::int64_t>(u(1'000'000'000)));
  r.energy = Energy::joules(static_cast<double>(u(1'000'000)) / 7.0);
  r.baseline = Energy::joules(static_cast<double>(u(1'000'000)) / 3.0);
  r.migrated = Bytes::of(u(1ULL << 33));
  r.fetched = Bytes::of(u(1ULL << 30));
  r.prefetched = Bytes::of(u(1ULL << 30));
  r.reintegrated = Bytes::of(u(1ULL << 30));
  r.fetched_pages = u(1'000'000);
  r.wakeups = u(100);
  r.outcome = static_cast<Outcome>(u(5));
  return r;
}

TEST(DesktopTotals, SameFiguresAsTotals) {
  std::mt19937_64 rng(15);
  Totals full;
  DesktopTotals compact;
  for (int i = 0; i < 10'000; ++i) {
    const PeriodRecord r = random_record(rng);
    full.add(r);
    compact.add(r);
  }
  EXPECT_EQ(compact.periods, full.periods);
  EXPECT_EQ(compact.idle.us(), full.idle.us());
  EXPECT_EQ(compact.energy.joules(), full.energy.joules());  // same additions in the same order
  EXPECT_EQ(compact.baseline.joules(), full.baseline.joules());
  EXPECT_EQ(compact.savings_pct(), full.savings_pct());
  EXPECT_EQ(compact.network().count(), full.network().count());
  EXPECT_EQ(compact.migrated.count(), full.migrated.count());
  EXPECT_EQ(compact.fetched_pages, full.fetched_pages);
  EXPECT_EQ(compact.reintegrated.count(), full.reintegrated.count());
  EXPECT_EQ(compact.wakeups, full.wakeups);
  EXPECT_EQ(compact.sleep_fraction(), full.sleep_fraction());
  EXPECT_EQ(compact.migrations, full.migrations);
  EXPECT_EQ(compact.aborted, full.aborted);
  EXPECT_EQ(compact.refused, full.refused);
  EXPECT_GT(full.migrations, 0U);
  EXPECT_LE(sizeof(DesktopTotals), 96U);
}

}  // namespace
}  // namespace jettison::sim
