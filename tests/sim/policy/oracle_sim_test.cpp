// The `oracle` sleep scheduler in the simulator, against the online rules on the same traces.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/sim/policy/oracle_scenario.hpp"
#include "tests/sim/policy/policy_support.hpp"

namespace jettison::testing::policy_sim {
namespace {

using model::run_strategy;

struct Rule {
  const char* name;
  const char* sleep;
};

const Rule kRules[] = {
    {"timeout-1s", "  sleep: {rule: timeout, timeout: 1s}\n"},
    {"timeout-10s", "  sleep: {rule: timeout, timeout: 10s}\n"},
    {"timeout-60s", "  sleep: {rule: timeout, timeout: 60s}\n"},
    {"break-even", "  sleep: {rule: break-even}\n"},
    {"adaptive", "  sleep: {rule: adaptive, history: 8}\n"},
    {"learning-augmented", "  sleep: {rule: learning-augmented, trust: 0.5, history: 8}\n"},
};

using Key = std::pair<std::string, std::uint32_t>;  // desktop, period
using Records = std::map<Key, sim::PeriodRecord>;

Records run_rule(const TempDir& dir, const std::string& head, const std::string& name, const std::string& sleep,
                 const std::string& prefetch) {
  const std::string path = dir.write("scenario-" + name + ".yaml",
                                     head + "policy:\n" + sleep + prefetch + "strategies: [partial]\n");
  const sim::Scenario s = sim::load_scenario(path);
  const RunOutput out = run_strategy(s, "partial");
  EXPECT_EQ(out.result.totals.skipped_periods, 0u) << name;
  Records records;
  for (const auto& [desktop, r] : out.records) records.emplace(Key{desktop, r.period}, r);
  return records;
}

struct Param {
  std::uint64_t seed;
  const char* prefetch;
};

class OracleInSim : public ::testing::TestWithParam<Param> {};

TEST_P(OracleInSim, NoOnlineRuleBeatsItInAnyPeriod) {
  const Param& p = GetParam();
  TempDir dir;
  OracleScenario gen(p.seed);
  const std::string head = gen.write_traces(dir);
  const Records oracle = run_rule(dir, head, "oracle", "  sleep: {rule: oracle}\n", p.prefetch);
  ASSERT_FALSE(oracle.empty());
  double worst = 0.0;
  std::uint64_t wakes = 0, fetched = 0, migrated = 0;
  for (const auto& [key, o] : oracle) {
    wakes += o.wakeups;
    fetched += o.fetched_pages;
    migrated += o.outcome == sim::Outcome::kMigrated;
  }
  for (const Rule& rule : kRules) {
    SCOPED_TRACE(rule.name);
    const Records other = run_rule(dir, head, rule.name, rule.sleep, p.prefetch);
    ASSERT_EQ(other.size(), oracle.size());
    for (const auto& [key, o] : oracle) {
      SCOPED_TRACE(key.first + " period " + std::to_string(key.second));
      const auto it = other.find(key);
      ASSERT_NE(it, other.end());
      const sim::PeriodRecord& r = it->second;
      EXPECT_EQ(r.start.us(), o.start.us());
      EXPECT_EQ(r.idle.us(), o.idle.us());
      EXPECT_EQ(sim::name_of(r.outcome), sim::name_of(o.outcome));
      EXPECT_EQ(r.fetched_pages, o.fetched_pages);
      EXPECT_EQ(r.prefetched_pages, o.prefetched_pages);
      EXPECT_EQ(r.prefetch_used, o.prefetch_used);
      EXPECT_EQ(r.dirty_pages, o.dirty_pages);
      const double excess = o.energy.joules() - r.energy.joules();
      worst = std::max(worst, excess / r.energy.joules());
      EXPECT_LE(o.energy.joules(), r.energy.joules() * (1 + 1e-9))
          << "oracle " << o.energy.joules() << " J, wakes " << o.wakeups << "; rule " << r.energy.joules()
          << " J, wakes " << r.wakeups << "; fetched " << o.fetched_pages << " prefetched " << o.prefetched_pages;
    }
  }
  std::printf("seed %llu %s: %zu periods, %llu migrated, %llu fetched, %llu oracle wake-ups, worst excess %.3g\n",
              static_cast<unsigned long long>(p.seed), p.prefetch, oracle.size(),
              static_cast<unsigned long long>(migrated), static_cast<unsigned long long>(fetched),
              static_cast<unsigned long long>(wakes), worst);
}

std::vector<Param> params() {
  std::vector<Param> out;
  for (const char* prefetch : {"  prefetch: {rule: none}\n", "  prefetch: {rule: markov, budget: 64KiB, depth: 4}\n",
                               "  prefetch: {rule: spatial, radius: 2}\n"}) {
    for (std::uint64_t seed = 1; seed <= 12; ++seed) out.push_back({seed, prefetch});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Seeds, OracleInSim, ::testing::ValuesIn(params()));

}  // namespace
}  // namespace jettison::testing::policy_sim
