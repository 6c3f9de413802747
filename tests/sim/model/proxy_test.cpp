// Hand-derived cases of the `proxy` strategy (sim/MODEL.md, "proxy"). The scenario's round numbers are
// those of model_support.hpp: idle 100 W, active 120 W, suspending 50 W, asleep 2 W, resuming_full
// 80 W; suspend 2 s, resume_full 4 s, wake_on_lan 10 ms; migrate_after 60 s. A proxy wake-up is
// resuming_full for wake_on_lan + resume_full = 4.01 s; the user's own resume from sleep is 4 s.
// The proxy's draw is charged from migrate_after (it takes over as the suspend begins) to the close.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "tests/sim/model/model_support.hpp"

namespace jettison::testing::model {
namespace {

constexpr const char* kSomePages = "time,page,op\n300,1,w\n600,2,r\n";

// The hand scenario with a `proxy:` section (flow style, e.g. "{power: 5W, ...}").
sim::Scenario load_proxy_scenario(const TempDir& dir, const std::string& idle_csv, const std::string& proxy,
                                  const Knobs& k = {}) {
  dir.write("idle.csv", idle_csv);
  dir.write("pages.csv", kSomePages);
  return sim::load_scenario(dir.write("scenario.yaml", hand_scenario_yaml(k) + "proxy: " + proxy + "\n"));
}

const sim::PeriodRecord& only_record(const RunOutput& out) {
  EXPECT_EQ(out.records.size(), 1u);
  return out.records.at(0).second;
}
// A reference into a temporary run would dangle (ASan caught it): keep the run in a variable.
const sim::PeriodRecord& only_record(RunOutput&&) = delete;

// One hour [1000 s, 4600 s), 2 requests/h periodic: one every 1800 s from the proxy's start (1060),
// so at 2860 s; the next (4660) is after the user's return and never comes.
//   idle           1000    -> 1060       60 s
//   suspending     1060    -> 1062        2 s
//   asleep         1062    -> 2860     1798 s
//   resuming_full  2860    -> 2864.01     4.01 s   (request: Wake-on-LAN + full resume; wake-up 1)
//   idle           2864.01 -> 2894.01    30 s      (awake 30 s after the request)
//   suspending     2894.01 -> 2896.01     2 s
//   asleep         2896.01 -> 4600     1703.99 s
//   resuming_full  4600    -> 4604        4 s      (the user is back)
//   window 3604 s: idle 90, suspending 4, asleep 3501.99, resuming_full 8.01 (sum 3604).
//   desktop = 100x90 + 50x4 + 2x3501.99 + 80x8.01 = 9000 + 200 + 7003.98 + 640.8 = 16 844.78 J
//   proxy   = 5 W x (4604 - 1060) = 5 x 3544 = 17 720 J; energy = 34 564.78 J
//   baseline = 100x3600 + 120x4 = 360 480 J.
TEST(HandDerivedProxy, OnePeriodicRequestInAnHour) {
  TempDir dir;
  const auto s = load_proxy_scenario(dir, "desktop,start,end\nd0,1000,4600\n",
                                     "{power: 5W, wake_rate: 2/h, awake: 30s, arrivals: periodic}");
  const RunOutput out = run_strategy(s, "proxy");
  const sim::PeriodRecord& r = only_record(out);
  EXPECT_EQ(r.window.us(), 3'604'000'000);
  EXPECT_STATE_TIMES(
      r, {.idle = 90'000'000, .suspending = 4'000'000, .asleep = 3'501'990'000, .resuming_full = 8'010'000});
  EXPECT_EQ(r.wakeups, 1u);
  expect_energy(r.proxy_energy, 17'720.0, "proxy energy");
  expect_energy(r.energy, 16'844.78 + 17'720.0, "energy");
  expect_energy(r.baseline, 360'480.0, "baseline");
  ASSERT_TRUE(r.return_latency.has_value());
  EXPECT_EQ(r.return_latency->us(), 4'000'000);
  EXPECT_EQ(r.network().count(), 0u);
  EXPECT_EQ(sim::name_of(r.outcome), "slept");
}

// [1000 s, 1300 s), 1 request/min periodic, awake 55 s: requests at 1120, 1180, 1240 (1300 is the
// user's return: none).
//   idle 1000 -> 1060 (60); suspending 1060 -> 1062 (2); asleep 1062 -> 1120 (58)
//   1120 asleep: wake-up 1, resuming_full 1120 -> 1124.01; idle until 1124.01 + 55 = 1179.01
//   suspending 1179.01 -> 1181.01; the 1180 request comes while suspending: wake-up 2 when it ends,
//   resuming_full 1181.01 -> 1185.02; idle, up until 1185.02 + 55 = 1240.02
//   1240 comes while awake: up until 1240 + 55 = 1295 (no wake-up)
//   suspending 1295 -> 1297; asleep 1297 -> 1300; the user: resuming_full 1300 -> 1304.
//   idle 60 + 55 + (1295 - 1185.02 = 109.98) = 224.98 s; suspending 6 s; asleep 58 + 3 = 61 s;
//   resuming_full 4.01 + 4.01 + 4 = 12.02 s; sum 304 s = the window.
//   desktop = 22 498 + 300 + 122 + 961.6 = 23 881.6 J; proxy = 5 x (1304 - 1060) = 1220 J.
TEST(HandDerivedProxy, RequestWhileSuspendingWakesAfterAndOneWhileAwakeKeepsItUp) {
  TempDir dir;
  const auto s = load_proxy_scenario(dir, "desktop,start,end\nd0,1000,1300\n",
                                     "{power: 5W, wake_rate: 1/min, awake: 55s, arrivals: periodic}");
  const RunOutput out = run_strategy(s, "proxy");
  const sim::PeriodRecord& r = only_record(out);
  EXPECT_EQ(r.window.us(), 304'000'000);
  EXPECT_STATE_TIMES(
      r, {.idle = 224'980'000, .suspending = 6'000'000, .asleep = 61'000'000, .resuming_full = 12'020'000});
  EXPECT_EQ(r.wakeups, 2u);
  expect_energy(r.proxy_energy, 1'220.0, "proxy energy");
  expect_energy(r.energy, 23'881.6 + 1'220.0, "energy");
}

// The user comes back at 2862 s, during the wake-up for the 2860 s request (resuming_full until
// 2864.01): the wake-up counts (it began before the return) and its resume is the user's; the window
// closes when it ends. idle 60, suspending 2, asleep 1798, resuming_full 4.01; window 1864.01 s;
// return latency 2.01 s. desktop = 6000 + 100 + 3596 + 320.8 = 10 016.8 J;
// proxy = 5 x (2864.01 - 1060) = 9020.05 J.
TEST(HandDerivedProxy, UserReturnDuringAProxyWakeUpTakesItsResume) {
  TempDir dir;
  const auto s = load_proxy_scenario(dir, "desktop,start,end\nd0,1000,2862\n",
                                     "{power: 5W, wake_rate: 2/h, awake: 30s, arrivals: periodic}");
  const RunOutput out = run_strategy(s, "proxy");
  const sim::PeriodRecord& r = only_record(out);
  EXPECT_EQ(r.window.us(), 1'864'010'000);
  EXPECT_STATE_TIMES(
      r, {.idle = 60'000'000, .suspending = 2'000'000, .asleep = 1'798'000'000, .resuming_full = 4'010'000});
  EXPECT_EQ(r.wakeups, 1u);
  ASSERT_TRUE(r.return_latency.has_value());
  EXPECT_EQ(r.return_latency->us(), 2'010'000);
  expect_energy(r.proxy_energy, 9'020.05, "proxy energy");
  expect_energy(r.energy, 10'016.8 + 9'020.05, "energy");
}

// The user comes back at 2870 s, while the desktop is up for the 2860 s request (since 2864.01): it
// is already on, so the window closes at once (no return latency). idle 60 + 5.99, suspending 2,
// asleep 1798, resuming_full 4.01; window 1870 s. desktop = 6599 + 100 + 3596 + 320.8 = 10 615.8 J;
// proxy = 5 x (1870 + 1000 - 1060) = 5 x 1810 = 9050 J.
TEST(HandDerivedProxy, UserReturnWhileAwakeForARequestClosesAtOnce) {
  TempDir dir;
  const auto s = load_proxy_scenario(dir, "desktop,start,end\nd0,1000,2870\n",
                                     "{power: 5W, wake_rate: 2/h, awake: 30s, arrivals: periodic}");
  const RunOutput out = run_strategy(s, "proxy");
  const sim::PeriodRecord& r = only_record(out);
  EXPECT_EQ(r.window.us(), 1'870'000'000);
  EXPECT_STATE_TIMES(
      r, {.idle = 65'990'000, .suspending = 2'000'000, .asleep = 1'798'000'000, .resuming_full = 4'010'000});
  EXPECT_FALSE(r.return_latency.has_value());
  EXPECT_EQ(r.wakeups, 1u);
  expect_energy(r.proxy_energy, 9'050.0, "proxy energy");
  expect_energy(r.energy, 10'615.8 + 9'050.0, "energy");
}

// Without requests the desktop does what sleep-only does, state for state, and the proxy adds its
// draw from migrate_after to the close: E(proxy) = E(sleep-only) + 7.5 W x (window - 60 s) in the
// periods it acted in; a period shorter than migrate_after (the 30 s one) has no proxy and costs the
// same. Periods: 1 h, 30 s, 61 s (the user returns during the suspend), 10 min.
TEST(HandDerivedProxy, NoRequestsIsSleepOnlyPlusTheProxysDraw) {
  TempDir dir;
  const auto s = load_proxy_scenario(dir,
                                     "desktop,start,end\nd0,1000,4600\nd0,5000,5030\nd0,6000,6061\n"
                                     "d0,7000,7600\n",
                                     "{power: 7.5W, wake_rate: 0/h, awake: 30s, arrivals: poisson}");
  const RunOutput sleep = run_strategy(s, "sleep-only");
  const RunOutput proxy = run_strategy(s, "proxy");
  ASSERT_EQ(sleep.records.size(), 4u);
  ASSERT_EQ(proxy.records.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE("period " + std::to_string(i));
    const sim::PeriodRecord& a = sleep.records[i].second;
    const sim::PeriodRecord& b = proxy.records[i].second;
    EXPECT_EQ(a.window.us(), b.window.us());
    for (std::size_t st = 0; st < sim::kPowerStateCount; ++st)
      EXPECT_EQ(a.state_time[st].us(), b.state_time[st].us());
    EXPECT_EQ(b.wakeups, 0u);
    EXPECT_EQ(sim::name_of(a.outcome), sim::name_of(b.outcome));
    const bool acted = a.idle.us() > 60'000'000;
    const double proxy_j = acted ? 7.5 * (a.window.seconds_f() - 60.0) : 0.0;
    EXPECT_NEAR(b.proxy_energy.joules(), proxy_j, 1e-6);
    EXPECT_NEAR(b.energy.joules(), a.energy.joules() + proxy_j, 1e-6);
  }
  // The 1-hour period: sleep-only's 13 496 J (hand_derived_baseline_test) + 7.5 x 3544 = 26 580 J.
  expect_energy(proxy.records[0].second.energy, 13'496.0 + 26'580.0, "1-hour period");
  EXPECT_EQ(proxy.records[1].second.proxy_energy.joules(), 0.0);
}

// Poisson requests at 10/h over one period of 1000 h, awake 0 s: the proxy runs for T = 3.6e6 - 60 s.
// A wake-up is followed by a resume of tau = 4.01 s during which further requests are absorbed (with
// awake 0 the desktop suspends right after; a request while suspending is a wake-up of its own), so
// wake-ups form a Poisson process with a dead time: rate lambda / (1 + lambda tau) with
// lambda = 10/3600 per s, lambda tau = 0.011139: E[N] = 10 000 x (1 - 60/3.6e6) / 1.011139 = 9889.7.
// Var[N] <= E[N] (a dead time only makes the count more regular), so |N - E[N]| < 4 sqrt(E[N]) =
// 398 fails with probability < 1e-4. The draws are the desktop's own: the same run gives the same
// count, and a second desktop beside it leaves d0's record as it was.
TEST(ProxyPoisson, WakeUpsOverALongPeriodMatchTheRate) {
  TempDir dir;
  const std::string proxy = "{power: 5W, wake_rate: 10/h, awake: 0s, arrivals: poisson}";
  const auto s = load_proxy_scenario(dir, "desktop,start,end\nd0,0,3600000\n", proxy);
  const RunOutput out = run_strategy(s, "proxy");
  const sim::PeriodRecord& r = only_record(out);
  const double expected = 10'000.0 * (1.0 - 60.0 / 3.6e6) / (1.0 + 10.0 / 3600.0 * 4.01);
  EXPECT_NEAR(static_cast<double>(r.wakeups), expected, 4.0 * std::sqrt(expected));
  // Each wake-up is 4.01 s of resuming_full, plus the user's own 4 s at the end.
  EXPECT_EQ(r.state_time[sim::index_of(sim::PowerState::kResumingFull)].us(),
            static_cast<std::int64_t>(r.wakeups) * 4'010'000 + 4'000'000);

  const RunOutput again = run_strategy(s, "proxy");
  EXPECT_EQ(only_record(again).wakeups, r.wakeups);

  TempDir dir2;
  const auto two = load_proxy_scenario(dir2, "desktop,start,end\nd0,0,3600000\nd1,100,3600000\n", proxy);
  const RunOutput both = run_strategy(two, "proxy");
  ASSERT_EQ(both.records.size(), 2u);
  for (const auto& [desktop, rec] : both.records) {
    if (desktop == "d0") expect_same_record(rec, r);
  }

  // Another seed draws other requests.
  TempDir dir3;
  dir3.write("idle.csv", "desktop,start,end\nd0,0,3600000\n");
  dir3.write("pages.csv", kSomePages);
  std::string yaml = hand_scenario_yaml({}) + "proxy: " + proxy + "\n";
  yaml.replace(yaml.find("seed: 1"), 7, "seed: 2");
  const auto reseeded = sim::load_scenario(dir3.write("scenario.yaml", yaml));
  const RunOutput reseeded_out = run_strategy(reseeded, "proxy");
  EXPECT_NE(only_record(reseeded_out).wakeups, r.wakeups);
}

}  // namespace
}  // namespace jettison::testing::model

namespace jettison::testing::model {
namespace {

// The bundled office (scenarios/default.yaml: 20 desktops, a week, proxy 3 W at 2/h Poisson, awake
// 30 s): what must hold of every proxy record. Energy: the meter's sum plus the proxy's draw, which is
// 3 W x (window - migrate_after) where the desktop slept and 0 where it never acted. Each wake-up is
// wake_on_lan + resume_full = 2.28 s of resuming_full; the user's own resume adds resume_full
// (2.27 s) unless the user came back while the desktop was up (0) or during a wake-up (that one's).
TEST(ProxyOffice, EveryRecordIsSleepOnlyLikePlusWakeUpsAndTheProxysDraw) {
  const sim::Scenario s = sim::load_scenario(sim::kDefaultScenario);
  const RunOutput out = run_strategy(s, "proxy");
  ASSERT_FALSE(out.records.empty());
  std::uint64_t wakeups = 0;
  for (const auto& [desktop, r] : out.records) {
    SCOPED_TRACE(desktop + " period " + std::to_string(r.period));
    const sim::DesktopSpec& spec = s.desktops[r.desktop];
    std::int64_t sum = 0;
    double metered = 0;
    for (std::size_t i = 0; i < sim::kPowerStateCount; ++i) {
      sum += r.state_time[i].us();
      metered += spec.power().watts[i].watts() * r.state_time[i].seconds_f();
    }
    EXPECT_EQ(sum, r.window.us());
    const bool slept = sim::name_of(r.outcome) == std::string("slept");
    EXPECT_EQ(slept, r.idle > s.migration.migrate_after);
    const double proxy_j = slept ? 3.0 * (r.window - s.migration.migrate_after).seconds_f() : 0.0;
    EXPECT_NEAR(r.proxy_energy.joules(), proxy_j, 1e-6 * std::max(1.0, proxy_j));
    EXPECT_NEAR(r.energy.joules(), metered + proxy_j, 1e-6 * std::max(1.0, r.energy.joules()));
    EXPECT_EQ(r.network().count(), 0u);
    EXPECT_EQ(us_in(r, sim::PowerState::kServing) + us_in(r, sim::PowerState::kResumingSelective) +
                  us_in(r, sim::PowerState::kMigrating),
              0);
    const std::int64_t user_resume =
        us_in(r, sim::PowerState::kResumingFull) - static_cast<std::int64_t>(r.wakeups) * 2'280'000;
    if (slept) {
      EXPECT_TRUE(user_resume == 0 || user_resume == 2'270'000) << user_resume;
    }
    wakeups += r.wakeups;
  }
  EXPECT_GT(wakeups, 0u);
}

}  // namespace
}  // namespace jettison::testing::model
