// Property tests of the online sleep schedulers in the classic ski-rental model (sleep_model.hpp,
// play_gaps: each gap alone; rent = serving - asleep power, buy = cycle_energy()). On thousands of
// random gap sequences (std::mt19937_64, fixed seeds) mixing short and long, periodic and random
// gaps and bursts:
//   OPT (min per gap) <= every scheduler;
//   break-even <= 2 x OPT;
//   learning-augmented <= (1 + 1/lambda) x OPT for several lambda, also on sequences built so its
//   predictions are wrong, and <= (1 + lambda) x OPT when its predictions are exact.
// Rounding: break-even and the LA waits are whole microseconds, so each gap may cost up to one
// microsecond of rent more than the exact bound; the tolerance is that, times the bound's factor.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "policy/adaptive_sleep.hpp"
#include "policy/break_even_sleep.hpp"
#include "policy/learning_augmented_sleep.hpp"
#include "policy/timeout_sleep.hpp"
#include "tests/policy/sleep_model.hpp"

namespace jettison::policy {
namespace {

using testing::GapsResult;
using testing::play_gaps;
using testing::rent;

const std::vector<double> kLambdas{0.05, 0.1, 0.25, 0.5, 0.75, 1.0};

// The costs the properties run under: the example desktop, round figures, and random desktops.
std::vector<SleepCosts> cost_sets() {
  std::vector<SleepCosts> out{testing::example_costs(), testing::round_costs()};
  std::mt19937_64 rng(77);
  std::uniform_real_distribution<double> watts(1, 150), low(0, 5), sec(0.05, 8);
  for (int i = 0; i < 4; ++i) {
    SleepCosts c = testing::example_costs();
    c.serving = Power::watts(watts(rng));
    c.asleep = Power::watts(low(rng));
    c.suspending = Power::watts(watts(rng));
    c.resuming = Power::watts(watts(rng));
    c.suspend = Duration::micros(static_cast<std::int64_t>(sec(rng) * 1e6));
    c.wake = Duration::micros(static_cast<std::int64_t>(sec(rng) * 1e6));
    if (c.serving <= c.asleep) c.serving = c.asleep + Power::watts(1);
    out.push_back(c);
  }
  return out;
}

// A random sequence of gaps around break-even time b: a mix of segment kinds.
std::vector<Duration> random_gaps(std::mt19937_64& rng, Duration b) {
  const double bs = b.seconds_f();
  auto us = [](double s) { return Duration::micros(static_cast<std::int64_t>(s * 1e6)); };
  std::uniform_int_distribution<int> kind(0, 5), len(1, 40);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Duration> gaps;
  const int segments = std::uniform_int_distribution<int>(1, 6)(rng);
  for (int seg = 0; seg < segments; ++seg) {
    const int n = len(rng);
    switch (kind(rng)) {
      case 0:  // short random gaps (below break-even)
        for (int i = 0; i < n; ++i) gaps.push_back(us(u(rng) * bs));
        break;
      case 1:  // long random gaps (1 to 30 break-evens)
        for (int i = 0; i < n; ++i) gaps.push_back(us(bs * (1 + 29 * u(rng))));
        break;
      case 2: {  // periodic with +-20% jitter, period anywhere from 0.1 to 20 break-evens
        const double p = bs * (0.1 + 19.9 * u(rng));
        for (int i = 0; i < n; ++i) gaps.push_back(us(p * (0.8 + 0.4 * u(rng))));
        break;
      }
      case 3: {  // bursts: several tiny gaps, then a long one
        for (int i = 0; i < n; ++i) {
          const int burst = std::uniform_int_distribution<int>(1, 30)(rng);
          for (int j = 0; j < burst; ++j) gaps.push_back(us(0.001 + 0.05 * u(rng)));
          gaps.push_back(us(bs * (2 + 20 * u(rng))));
        }
        break;
      }
      case 4:  // right around break-even, exact ties included
        for (int i = 0; i < n; ++i) {
          const std::int64_t d = std::uniform_int_distribution<std::int64_t>(-3, 3)(rng);
          gaps.push_back(b + Duration::micros(d));
        }
        break;
      default:  // zeros and log-uniform anything from 1 us to 1000 break-evens
        for (int i = 0; i < n; ++i)
          gaps.push_back(u(rng) < 0.2 ? Duration{} : us(bs * std::pow(10.0, -6 + 9 * u(rng))));
        break;
    }
  }
  return gaps;
}

using Factory = std::function<std::unique_ptr<SleepScheduler>(const SleepCosts&)>;

struct Named {
  std::string name;
  Factory make;
  double bound;  // cost <= bound x OPT (0: no bound, only OPT <= cost)
};

std::vector<Named> schedulers(std::uint32_t history) {
  std::vector<Named> out;
  SleepParams p;
  p.history = history;
  out.push_back({"timeout 10s",
                 [](const SleepCosts&) { return std::make_unique<TimeoutSleep>(Duration::seconds(10)); }, 0});
  out.push_back({"break-even", [](const SleepCosts& c) { return std::make_unique<BreakEvenSleep>(c); }, 2.0});
  out.push_back({"adaptive", [p](const SleepCosts& c) { return std::make_unique<AdaptiveSleep>(p, c); }, 0});
  for (double l : kLambdas) {
    SleepParams q = p;
    q.trust = l;
    out.push_back({"learning-augmented " + std::to_string(l),
                   [q](const SleepCosts& c) { return std::make_unique<LearningAugmentedSleep>(q, c); },
                   1.0 + 1.0 / l});
  }
  return out;
}

// Slack for microsecond rounding: one microsecond of rent per gap, times the bound's factor.
Energy slack(const SleepCosts& c, std::size_t gaps, double factor) {
  return Energy::joules(rent(c).watts() * 1e-6 * static_cast<double>(gaps) * (factor + 1.0));
}

TEST(SleepProperties, OptIsALowerBoundAndTheCompetitiveRatiosHold) {
  std::size_t sequences = 0, gaps_played = 0;
  for (const SleepCosts& c : cost_sets()) {
    const Duration b = c.break_even();
    std::mt19937_64 rng(1234 + static_cast<std::uint64_t>(b.us()));
    for (std::uint32_t history : {1U, 8U, 32U}) {
      const auto rules = schedulers(history);
      for (int seq = 0; seq < 200; ++seq) {
        const std::vector<Duration> gaps = random_gaps(rng, b);
        ++sequences;
        gaps_played += gaps.size();
        for (const Named& r : rules) {
          auto s = r.make(c);
          const GapsResult res = play_gaps(*s, c, gaps);
          for (const auto& g : res.gaps) ASSERT_LE(g.opt.joules(), g.cost.joules() + 1e-9) << r.name;
          ASSERT_LE(res.opt.joules(), res.cost.joules() + 1e-9) << r.name;
          if (r.bound > 0) {
            ASSERT_LE(res.cost.joules(), r.bound * res.opt.joules() + slack(c, gaps.size(), r.bound).joules())
                << r.name << " history " << history << " sequence " << seq;
          }
        }
      }
    }
  }
  EXPECT_GE(sequences, 3000U);
  RecordProperty("sequences", static_cast<int>(sequences));
  RecordProperty("gaps", static_cast<int>(gaps_played));
}

// Break-even's ratio approaches 2 on gaps just past the break-even time, and never exceeds it.
TEST(SleepProperties, BreakEvenIsTightlyTwoCompetitive) {
  const SleepCosts c = testing::example_costs();
  BreakEvenSleep s(c);
  const GapsResult res = play_gaps(s, c, {c.break_even() + Duration::micros(1)});
  // cost = rent x b + cycle ~ 2 x cycle; OPT = cycle
  EXPECT_NEAR(res.cost / res.opt, 2.0, 1e-6);
}

// Sequences built against the predictor: `history` gaps that teach it one thing, then a trap gap
// just past the wait it then chooses. Long training, then lambda x b + 1 us: LA sleeps at lambda x b
// for a gap OPT rents through (ratio -> 1 + 1/lambda). Short training, then b / lambda + 1 us: LA
// rents until b / lambda and then buys (ratio -> 1 + 1/lambda).
TEST(SleepProperties, LearningAugmentedIsRobustToWrongPredictions) {
  for (const SleepCosts& c : cost_sets()) {
    const Duration b = c.break_even();
    std::mt19937_64 rng(99 + static_cast<std::uint64_t>(b.us()));
    std::uniform_real_distribution<double> u(0, 1);
    for (double lambda : kLambdas) {
      SleepParams p;
      p.trust = lambda;
      p.history = 8;
      const double bound = 1.0 + 1.0 / lambda;
      for (int seq = 0; seq < 100; ++seq) {
        std::vector<Duration> gaps;
        std::vector<std::size_t> traps;
        const int rounds = std::uniform_int_distribution<int>(1, 10)(rng);
        for (int r = 0; r < rounds; ++r) {
          const bool teach_long = u(rng) < 0.5;
          for (int i = 0; i < 8; ++i) {
            const double k = teach_long ? 1.0 + 20 * u(rng) : 0.9 * u(rng);
            gaps.push_back(Duration::micros(static_cast<std::int64_t>(static_cast<double>(b.us()) * k)));
          }
          traps.push_back(gaps.size());
          gaps.push_back(learning_augmented_wait(teach_long ? b : Duration{}, b, lambda) +
                         Duration::micros(1));
        }
        LearningAugmentedSleep s(p, c);
        const GapsResult res = play_gaps(s, c, gaps);
        ASSERT_LE(res.cost.joules(), bound * res.opt.joules() + slack(c, gaps.size(), bound).joules());
        for (std::size_t t : traps) {
          const auto& g = res.gaps[t];
          ASSERT_TRUE(g.slept);
          // Each trap is close to the worst case and within it.
          EXPECT_LE(g.cost.joules(), bound * g.opt.joules() + slack(c, 1, bound).joules());
          EXPECT_GE(g.cost / g.opt, bound - 0.01) << "lambda " << lambda;
        }
      }
    }
  }
}

// Exact predictions: requests every p seconds give equal gaps (the classic model serves a request
// on arrival, so each gap is exactly p), and the median of equal gaps is p: from the second gap on,
// every prediction is exact. The first gap (no history: break-even) is left out of the ratio.
TEST(SleepProperties, LearningAugmentedIsConsistentWhenPredictionsAreExact) {
  std::size_t checked = 0;
  for (const SleepCosts& c : cost_sets()) {
    const Duration b = c.break_even();
    std::mt19937_64 rng(5 + static_cast<std::uint64_t>(b.us()));
    std::uniform_real_distribution<double> u(0, 1);
    for (double lambda : kLambdas) {
      SleepParams p;
      p.trust = lambda;
      for (int seq = 0; seq < 100; ++seq) {
        const double k = std::pow(10.0, -3 + 5 * u(rng));  // period from b / 1000 to 100 b
        const Duration period = Duration::micros(
            std::max<std::int64_t>(1, static_cast<std::int64_t>(static_cast<double>(b.us()) * k)));
        const std::size_t n = std::uniform_int_distribution<std::size_t>(2, 60)(rng);
        LearningAugmentedSleep s(p, c);
        const GapsResult res = play_gaps(s, c, std::vector<Duration>(n, period));
        const Energy cost = res.cost_of(1, n), opt = res.opt_of(1, n);
        ASSERT_LE(cost.joules(), (1 + lambda) * opt.joules() + slack(c, n, 1 + lambda).joules())
            << "lambda " << lambda << " period " << period.us();
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 3000U);
}

// The same with exact predictions of arbitrary random gaps: the rule's wait for the true gap.
TEST(SleepProperties, TheLearningAugmentedWaitIsConsistentForEveryExactPrediction) {
  for (const SleepCosts& c : cost_sets()) {
    const Duration b = c.break_even();
    std::mt19937_64 rng(11 + static_cast<std::uint64_t>(b.us()));
    for (double lambda : kLambdas) {
      for (int seq = 0; seq < 50; ++seq) {
        Energy cost, opt;
        const std::vector<Duration> gaps = random_gaps(rng, b);
        for (Duration g : gaps) {
          cost += testing::classic_cost(c, g, learning_augmented_wait(g, b, lambda));
          opt += testing::classic_opt(c, g);
        }
        ASSERT_LE(cost.joules(), (1 + lambda) * opt.joules() + slack(c, gaps.size(), 1 + lambda).joules());
      }
    }
  }
}

// With an exactly periodic long gap, consistency is tight: lambda x b rent + one cycle = (1 + lambda) OPT.
TEST(SleepProperties, LearningAugmentedConsistencyIsTightOnLongPeriodicGaps) {
  const SleepCosts c = testing::round_costs();  // b = 5 s, cycle 50 J, rent 10 W
  SleepParams p;
  p.trust = 0.5;
  LearningAugmentedSleep s(p, c);
  const GapsResult res = play_gaps(s, c, std::vector<Duration>(10, Duration::seconds(60)));
  // first gap: no history, b: 10 x 5 + 50 = 100 J; later gaps: 10 x 2.5 + 50 = 75 J = 1.5 x 50 J
  EXPECT_DOUBLE_EQ(res.gaps[0].cost.joules(), 100.0);
  for (std::size_t i = 1; i < 10; ++i) EXPECT_DOUBLE_EQ(res.gaps[i].cost.joules(), 75.0);
  EXPECT_DOUBLE_EQ(res.opt.joules(), 500.0);
}

}  // namespace
}  // namespace jettison::policy
