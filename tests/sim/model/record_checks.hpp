// What must hold of every period record of every strategy on any trace (sim/MODEL.md), for the
// property tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "tests/sim/model/model_support.hpp"

namespace jettison::testing::model {

inline bool near_rel(double a, double b, double rel = 1e-9) {
  return std::fabs(a - b) <= rel * std::max({std::fabs(a), std::fabs(b), 1e-12});
}

// What must hold of every record of every strategy.
inline void check_record(const sim::Scenario& s, const std::string& strategy, const std::string& desktop,
                         const sim::PeriodRecord& r) {
  SCOPED_TRACE(strategy + " " + desktop + " period " + std::to_string(r.period));
  ASSERT_LT(r.desktop, s.desktops.size());
  EXPECT_EQ(s.desktops[r.desktop].id, desktop);
  const sim::DesktopSpec& spec = s.desktops[r.desktop];
  const sim::PageProfile& profile = s.profiles[spec.profile];
  const Duration migrate_after = s.migration.migrate_after;

  // Time.
  EXPECT_GT(r.idle.us(), 0);
  EXPECT_GE(r.window.us(), r.idle.us()) << "window >= idle";
  std::int64_t sum = 0;
  for (const Duration d : r.state_time) {
    EXPECT_GE(d.us(), 0);
    sum += d.us();
  }
  EXPECT_EQ(sum, r.window.us()) << "time in states sums to the window exactly";
  EXPECT_EQ(us_in(r, sim::PowerState::kActive), 0) << "the user is never at the desktop inside a window";
  EXPECT_EQ(r.return_latency.has_value(), r.window > r.idle);
  if (r.return_latency) {
    EXPECT_EQ(r.return_latency->us(), (r.window - r.idle).us());
  }

  // Energy: the meter's sum, the baseline's definition, non-negative.
  EXPECT_GE(r.energy.joules(), 0.0);
  EXPECT_GE(r.baseline.joules(), 0.0);
  double metered = 0.0;
  for (std::size_t i = 0; i < sim::kPowerStateCount; ++i)
    metered += spec.power().watts[i].watts() * r.state_time[i].seconds_f();
  EXPECT_TRUE(near_rel(r.energy.joules(), metered)) << r.energy.joules() << " vs " << metered;
  const double baseline = spec.power()[sim::PowerState::kIdle].watts() * r.idle.seconds_f() +
                          spec.power()[sim::PowerState::kActive].watts() * (r.window - r.idle).seconds_f();
  EXPECT_TRUE(near_rel(r.baseline.joules(), baseline)) << r.baseline.joules() << " vs " << baseline;

  // Outcomes: the strategy acts exactly when L > migrate_after; what it did shows in the states.
  const std::string outcome(sim::name_of(r.outcome));
  if (strategy != "always-on") {
    EXPECT_EQ(outcome == "stayed-on", r.idle <= migrate_after) << outcome;
  }
  if (outcome == "stayed-on") {
    EXPECT_EQ(us_in(r, sim::PowerState::kIdle), r.window.us());
    EXPECT_TRUE(near_rel(r.energy.joules(), r.baseline.joules()));
  } else {
    EXPECT_EQ(us_in(r, sim::PowerState::kIdle), migrate_after.us()) << "idle until migrate_after";
  }
  if (outcome == "aborted") {
    EXPECT_EQ(r.window.us(), r.idle.us()) << "an aborted migration costs the user no wait";
    EXPECT_EQ(r.reintegrated.count(), 0u);
  }
  if (outcome == "migrated") {
    EXPECT_TRUE(r.migration_latency.has_value());
    EXPECT_GT(r.reintegrated.count(), 0u);
  } else {
    EXPECT_EQ(r.server_energy.joules(), 0.0);
  }

  // Per strategy.
  if (strategy != "partial") {
    EXPECT_EQ(r.wakeups, 0u) << "wake-ups only for partial";
    EXPECT_EQ(r.fetched_pages, 0u);
    EXPECT_EQ(r.fetched.count(), 0u);
    EXPECT_EQ(us_in(r, sim::PowerState::kServing), 0);
    EXPECT_EQ(us_in(r, sim::PowerState::kResumingSelective), 0);
  }
  if (strategy == "always-on") {
    EXPECT_EQ(outcome, "stayed-on");
    EXPECT_EQ(r.window.us(), r.idle.us());
    EXPECT_TRUE(near_rel(r.energy.joules(), r.baseline.joules())) << "always-on saves exactly 0";
    EXPECT_EQ(r.network().count(), 0u);
  }
  if (strategy == "sleep-only") {
    EXPECT_EQ(r.network().count(), 0u) << "sleep-only moves nothing";
    EXPECT_EQ(us_in(r, sim::PowerState::kMigrating), 0);
    EXPECT_TRUE(outcome == "stayed-on" || outcome == "slept") << outcome;
  }
  if (strategy == "full") {
    EXPECT_LE(r.dirty_pages, profile.unique_pages());
    if (outcome == "migrated") {
      EXPECT_GE(r.migrated.count(), spec.vm_memory().count() + s.migration.partial.metadata.count());
      EXPECT_EQ(r.reintegrated.count(),
                r.dirty_pages * s.page_size.count() + s.migration.partial.metadata.count());
    }
  }
  if (strategy == "partial") {
    EXPECT_LE(r.fetched_pages, profile.unique_pages()) << "fetches at most the profile's pages";
    EXPECT_LE(r.dirty_pages, r.fetched_pages) << "a dirty page was fetched first";
    EXPECT_EQ(r.fetched.count(), r.fetched_pages * s.page_size.count());
    EXPECT_LE(r.wakeups, r.fetched_pages) << "every wake-up serves at least one fetch";
    if (outcome == "migrated") {
      EXPECT_EQ(r.migrated.count(), s.migration.partial.metadata.count());
      EXPECT_EQ(r.reintegrated.count(),
                r.dirty_pages * s.page_size.count() + s.migration.partial.metadata.count());
    } else {
      EXPECT_EQ(r.fetched_pages, 0u);
      EXPECT_EQ(us_in(r, sim::PowerState::kServing), 0);
    }
    if (outcome == "aborted") {
      EXPECT_LE(r.migrated.count(), s.migration.partial.metadata.count());
    }
  }
}

}  // namespace jettison::testing::model
