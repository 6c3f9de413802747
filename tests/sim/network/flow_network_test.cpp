// Flows over time: finish times and rates derived by hand, and the incremental model against a naive
// progressive filling recomputed from scratch.
#include "sim/network/flow_network.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <vector>

namespace jettison::sim::net {
namespace {

std::vector<Bandwidth> caps(std::initializer_list<double> bps) {
  std::vector<Bandwidth> out;
  for (double b : bps) out.push_back(Bandwidth::bits_per_second(b));
  return out;
}
Time us(std::int64_t t) { return Time::micros(t); }
std::vector<ResourceId> route(std::initializer_list<ResourceId> r) { return r; }

TEST(FlowNetwork, FlowAloneFinishesAtTransferTime) {
  // 1,234,567 bytes on {1 Gb/s, 100 Mb/s}: bottleneck 1e8. 9,876,536 bits / 1e8 = 98,765.36 us ->
  // nearest 98,765; started at 5: done at 98,770 = 5 + transfer_time(bytes, 1e8).
  FlowNetwork net(caps({1e9, 1e8}));
  const auto r = route({0, 1});
  const FlowId f = net.start(us(5), r, Bytes::of(1'234'567), 42);
  EXPECT_DOUBLE_EQ(net.rate(f), 1e8);
  EXPECT_EQ(net.next_completion(),
            us(5) + transfer_time(Bytes::of(1'234'567), Bandwidth::bits_per_second(1e8)));
  EXPECT_EQ(net.next_completion(), us(98'770));
  std::vector<FlowDone> done;
  net.advance(us(98'769), done);
  EXPECT_TRUE(done.empty());
  net.advance(us(200'000), done);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].id, f);
  EXPECT_EQ(done[0].tag, 42u);
  EXPECT_EQ(done[0].sent, us(98'770));
  EXPECT_EQ(done[0].bytes, Bytes::of(1'234'567));
  EXPECT_EQ(net.active(), 0u);
  EXPECT_EQ(net.next_completion(), Time::never());
}

// Flow ends go to the nearest microsecond, not up to the next one (issue 11).
TEST(FlowNetwork, EndIsRoundedToTheNearestMicrosecond) {
  // 50 MiB at 1 Gb/s: 52,428,800 x 8 = 419,430,400 bits / 1e9 = 0.4194304 s = 419,430.4 us ->
  // 419,430 (rounding up gave 419,431, 0.6 us after the exact end).
  FlowNetwork net(caps({1e9}));
  net.start(us(0), route({0}), Bytes::of(50ull << 20), 1);
  EXPECT_EQ(net.next_completion(), us(419'430));
  std::vector<FlowDone> done;
  net.advance(us(419'430), done);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].sent, us(419'430));
  EXPECT_EQ(transfer_time(Bytes::of(50ull << 20), Bandwidth::bits_per_second(1e9)).us(), 419'430);
}

TEST(FlowNetwork, TiesGoToTheLaterMicrosecond) {
  // Alone: 12,345 bytes at 16 Mb/s: 98,760 bits / 1.6e7 = 6,172.5 us, a tie -> 6,173.
  {
    FlowNetwork net(caps({1.6e7}));
    net.start(us(0), route({0}), Bytes::of(12'345), 1);
    EXPECT_EQ(net.next_completion(), us(6'173));
  }
  // A tie reached after a rate change: A (100 bytes) and B (101 bytes) share 16 Mb/s from 0, 8 Mb/s
  // each. A: 800 bits / 8e6 = 100 us, ends at 100 exactly; B has sent 800 of its 808 bits then and
  // sends the last 8 alone at 1.6e7: 0.5 us, ends at 100.5 -> 101.
  FlowNetwork net(caps({1.6e7}));
  const FlowId a = net.start(us(0), route({0}), Bytes::of(100), 1);
  const FlowId b = net.start(us(0), route({0}), Bytes::of(101), 2);
  EXPECT_DOUBLE_EQ(net.rate(a), 8e6);
  EXPECT_DOUBLE_EQ(net.rate(b), 8e6);
  std::vector<FlowDone> done;
  net.advance(us(100), done);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].tag, 1u);
  EXPECT_EQ(done[0].sent, us(100));
  EXPECT_DOUBLE_EQ(net.rate(b), 1.6e7);
  EXPECT_EQ(net.next_completion(), us(101));
  net.advance(us(101), done);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[1].tag, 2u);
  EXPECT_EQ(done[1].sent, us(101));
  EXPECT_EQ(done[1].bytes, Bytes::of(101));
}

TEST(FlowNetwork, FlowShorterThanHalfAMicrosecondEndsAtItsStart) {
  // 1 byte at 1 Gb/s: 8 bits / 1e9 = 0.008 us -> 0: the flow ends when it starts, collected by
  // advance() at that same instant; a later flow can start then.
  FlowNetwork net(caps({1e9}));
  net.start(us(10), route({0}), Bytes::of(1), 7);
  EXPECT_EQ(net.next_completion(), us(10));
  std::vector<FlowDone> done;
  net.advance(us(10), done);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].sent, us(10));
  EXPECT_EQ(net.active(), 0u);
  net.start(us(10), route({0}), Bytes::of(125), 8);  // 1,000 bits / 1e9 = 1 us exactly
  EXPECT_EQ(net.next_completion(), us(11));
}

// Memory: a network without flows holds no per-resource state, and once every flow has ended it holds
// no group and no route class; the slots are reused, so 50 rounds of 40 desktops' flows through a
// shared uplink never hold more groups than resources. The stats and shares are those of a network
// that kept everything (the equality tests below and periods.csv compare the values themselves).
TEST(FlowNetwork, HoldsStateOnlyWhileFlowsRun) {
  constexpr ResourceId kDesktops = 40;
  std::vector<double> bps(kDesktops + 1, 1e8);
  bps[kDesktops] = 1e9;  // the uplink
  std::vector<Bandwidth> c;
  for (double b : bps) c.push_back(Bandwidth::bits_per_second(b));
  FlowNetwork net(c);
  EXPECT_FALSE(net.holds_resource_state());
  EXPECT_EQ(net.share_for(route({0, kDesktops})).bits_per_second(), 1e8);
  EXPECT_EQ(net.share_for_uncached(route({0, kDesktops})).bits_per_second(), 1e8);
  EXPECT_EQ(net.stats(kDesktops, us(1'000)).bytes_carried, 0.0);
  EXPECT_EQ(net.stats(kDesktops, us(1'000)).peak_utilisation, 0.0);
  std::mt19937_64 rng(7);
  std::vector<FlowDone> done;
  Time t = us(0);
  std::uint64_t total = 0;
  for (int round = 0; round < 50; ++round) {
    for (ResourceId d = 0; d < kDesktops; ++d) {
      if (rng() % 3 == 0) continue;
      const std::uint64_t bytes = 1'000 + rng() % 1'000'000;
      total += bytes;
      net.start(t, route({d, kDesktops}), Bytes::of(bytes), d);
      EXPECT_LE(net.live_groups(), kDesktops + 1);
      t = t + Duration::micros(static_cast<std::int64_t>(rng() % 50));
      net.advance(t, done);
    }
    net.advance(Time::micros(t.us() + 100'000'000), done);
    t = Time::micros(t.us() + 100'000'000);
    EXPECT_EQ(net.active(), 0u);
    EXPECT_EQ(net.live_groups(), 0u);
    EXPECT_EQ(net.live_classes(), 0u);
  }
  EXPECT_TRUE(net.holds_resource_state());
  // Every byte went through the uplink: the stats survive the groups and classes.
  EXPECT_DOUBLE_EQ(net.stats(kDesktops, t).bytes_carried, static_cast<double>(total));
}

TEST(FlowNetwork, EqualFlowsThroughOneBottleneckFinishTogether) {
  // 3 flows of 100 MiB through 1 Gb/s from t = 10: each gets 1e9 / 3; all finish at
  // 10 + 3 x 104,857,600 x 8 / 1e9 s = 10 + 2,516,582.4 us -> nearest 2,516,592.
  FlowNetwork net(caps({1e9}));
  const auto r = route({0});
  for (int i = 0; i < 3; ++i) net.start(us(10), r, Bytes::of(100ull << 20), static_cast<std::uint64_t>(i));
  EXPECT_EQ(net.next_completion(), us(2'516'592));
  std::vector<FlowDone> done;
  net.advance(Time::micros(10'000'000), done);
  ASSERT_EQ(done.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(done[i].tag, i);  // same finish time: start order
    EXPECT_EQ(done[i].sent, us(2'516'592));
  }
}

TEST(FlowNetwork, StaggeredFlowsFinishAtHandComputedTimes) {
  // Capacity 8e6 b/s = 1 byte/us. A: 1000 bytes at 0; B: 500 bytes at 400.
  // 0..400: A alone, sends 400 (600 left). From 400 both at 0.5 byte/us: B's 500 take 1000 us -> B
  // done at 1400; A sent 500 more (100 left), alone again at 1 byte/us -> A done at 1500.
  FlowNetwork net(caps({8e6}));
  const auto r = route({0});
  const FlowId a = net.start(us(0), r, Bytes::of(1000), 1);
  EXPECT_EQ(net.next_completion(), us(1000));
  std::vector<FlowDone> done;
  net.advance(us(400), done);
  EXPECT_EQ(net.sent(us(400), a), Bytes::of(400));
  const FlowId b = net.start(us(400), r, Bytes::of(500), 2);
  EXPECT_DOUBLE_EQ(net.rate(a), 4e6);
  EXPECT_DOUBLE_EQ(net.rate(b), 4e6);
  EXPECT_EQ(net.next_completion(), us(1400));
  net.advance(us(1400), done);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].tag, 2u);
  EXPECT_EQ(done[0].sent, us(1400));
  EXPECT_DOUBLE_EQ(net.rate(a), 8e6);
  EXPECT_EQ(net.sent(us(1400), a), Bytes::of(900));
  EXPECT_EQ(net.next_completion(), us(1500));
  net.advance(us(5000), done);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[1].tag, 1u);
  EXPECT_EQ(done[1].sent, us(1500));
}

TEST(FlowNetwork, TwoBottlenecksGiveUnequalRates) {
  // A (0) cap 10 Mb/s: f1, f2; B (1) cap 4 Mb/s: f2, f3. B saturates first at 2 (f2 = f3 = 2), f1
  // takes the 8 left on A. When f3 ends, B gives f2 min(4, A's 10/2 = 5) = 4 and f1 gets 6.
  FlowNetwork net(caps({10e6, 4e6}));
  const FlowId f1 = net.start(us(0), route({0}), Bytes::of(1'000'000), 1);
  const FlowId f2 = net.start(us(0), route({0, 1}), Bytes::of(1'000'000), 2);
  const FlowId f3 = net.start(us(0), route({1}), Bytes::of(1'000'000), 3);
  EXPECT_DOUBLE_EQ(net.rate(f1), 8e6);
  EXPECT_DOUBLE_EQ(net.rate(f2), 2e6);
  EXPECT_DOUBLE_EQ(net.rate(f3), 2e6);
  net.cancel(us(10), f3);
  EXPECT_DOUBLE_EQ(net.rate(f1), 6e6);
  EXPECT_DOUBLE_EQ(net.rate(f2), 4e6);
}

TEST(FlowNetwork, CancelReturnsBytesSentRoundedDown) {
  // 8e6 b/s = 1 byte/us. Two flows from 0 at 0.5 byte/us each; cancelling one at 301 returns
  // floor(150.5) = 150 bytes. The other then runs alone: it had 150.5 of 1000, 849.5 left at 1 byte/us
  // -> done at 301 + 849.5 = 1150.5, a tie -> 1151.
  FlowNetwork net(caps({8e6}));
  const auto r = route({0});
  const FlowId a = net.start(us(0), r, Bytes::of(1000), 1);
  const FlowId b = net.start(us(0), r, Bytes::of(1000), 2);
  EXPECT_EQ(net.cancel(us(301), b), Bytes::of(150));
  EXPECT_EQ(net.active(), 1u);
  EXPECT_DOUBLE_EQ(net.rate(a), 8e6);
  EXPECT_EQ(net.next_completion(), us(1151));
}

TEST(FlowNetwork, ShareForIsTheLargerOfUnusedAndAnEqualSlot) {
  // A (0) cap 10 Mb/s carries f1 = 8 and f2 = 2 (full, 2 flows): max(0, 10/3). B (1) cap 4 Mb/s carries
  // f2 = 2 only: max(4 - 2, 4/2) = 2. C (2) cap 1 Mb/s idle: max(1, 1/1) = 1.
  FlowNetwork net(caps({10e6, 4e6, 1e6}));
  net.start(us(0), route({0}), Bytes::of(1'000'000), 1);
  net.start(us(0), route({0, 1}), Bytes::of(1'000'000), 2);
  // f2 alone on B would get 4, but A shares 10 between f1 and f2: 5 each; f2 = min(4, 5) = 4?
  // Progressive filling: A 10/2 = 5, B 4/1 = 4 -> B saturates: f2 = 4; f1 = 10 - 4 = 6.
  // So A: full, 2 flows: max(0, 10/3) = 3.33; B: full, 1 flow: max(0, 4/2) = 2; C: 1.
  EXPECT_DOUBLE_EQ(net.share_for(route({0})).bits_per_second(), 10e6 / 3);
  EXPECT_DOUBLE_EQ(net.share_for(route({1})).bits_per_second(), 2e6);
  EXPECT_DOUBLE_EQ(net.share_for(route({0, 1})).bits_per_second(), 2e6);
  EXPECT_DOUBLE_EQ(net.share_for(route({2})).bits_per_second(), 1e6);
}

TEST(FlowNetwork, ShareForFollowsEveryStartEndAndCancel) {
  // One resource of 12 Mb/s. Idle: 12. One flow (rate 12, full): max(0, 12/2) = 6. Two flows
  // (6 each, full): max(0, 12/3) = 4. One cancelled: back to 6. The last one ends: 12 again.
  // Each value is asked twice, so a cached value that outlives a change shows.
  FlowNetwork net(caps({12e6}));
  const auto r = route({0});
  const auto share = [&] {
    const double first = net.share_for(r).bits_per_second();
    EXPECT_EQ(net.share_for(r).bits_per_second(), first);
    return first;
  };
  EXPECT_EQ(share(), 12e6);
  const FlowId a = net.start(us(0), r, Bytes::of(1'500'000), 1);  // 12 Mb alone: 1 s
  EXPECT_EQ(share(), 6e6);
  const FlowId b = net.start(us(0), r, Bytes::of(1'500'000), 2);
  EXPECT_EQ(share(), 4e6);
  net.cancel(us(100'000), b);
  EXPECT_EQ(share(), 6e6);
  std::vector<FlowDone> done;
  net.advance(us(10'000'000), done);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].id, a);
  EXPECT_EQ(share(), 12e6);
}

TEST(FlowNetwork, StatsGivePeakAndMeanUtilisationAndBytesCarried) {
  // Star: desktops d1 (0), d2 (1) at 16 Mb/s, uplink u (2) at 8 Mb/s. f1 (1000 B on d1,u) and f2
  // (250 B on d2,u) from 0 share u: 4 Mb/s = 0.5 byte/us each. f2 done at 500 (f1 sent 250); f1 then
  // alone at 1 byte/us: 750 left -> done at 1250.
  // d1: rate 4 then 8 of 16 -> peak 0.5; carried 1000 B; mean at 2000 us: 8000 / (16e6 x 0.002) = 0.25.
  // u: always full while busy -> peak 1; carried 1250 B; mean 10000 / (8e6 x 0.002) = 0.625.
  // d2: 4 of 16 -> peak 0.25; carried 250 B.
  FlowNetwork net(caps({16e6, 16e6, 8e6}));
  const FlowId f1 = net.start(us(0), route({0, 2}), Bytes::of(1000), 1);
  net.start(us(0), route({1, 2}), Bytes::of(250), 2);
  std::vector<FlowDone> done;
  net.advance(us(1000), done);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].sent, us(500));
  EXPECT_DOUBLE_EQ(net.rate(f1), 8e6);
  EXPECT_DOUBLE_EQ(net.stats(0, us(1000)).peak_utilisation, 0.5);  // f1 still active
  EXPECT_DOUBLE_EQ(net.stats(0, us(1000)).bytes_carried, 750.0);   // 250 + 500
  net.advance(us(2000), done);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[1].sent, us(1250));
  const auto d1 = net.stats(0, us(2000));
  EXPECT_DOUBLE_EQ(d1.peak_utilisation, 0.5);
  EXPECT_DOUBLE_EQ(d1.bytes_carried, 1000.0);
  EXPECT_DOUBLE_EQ(d1.mean_utilisation, 0.25);
  const auto u = net.stats(2, us(2000));
  EXPECT_DOUBLE_EQ(u.peak_utilisation, 1.0);
  EXPECT_DOUBLE_EQ(u.bytes_carried, 1250.0);
  EXPECT_DOUBLE_EQ(u.mean_utilisation, 0.625);
  const auto d2 = net.stats(1, us(2000));
  EXPECT_DOUBLE_EQ(d2.peak_utilisation, 0.25);
  EXPECT_DOUBLE_EQ(d2.bytes_carried, 250.0);
}

TEST(FlowNetwork, SharedUplinkIsRepairedLocally) {
  // 100 flows through their own desktop link and one shared uplink: after the first, every start and
  // end is a local repair (level = uplink / flows), not a solve.
  std::vector<double> bps(101, 1e9);
  std::vector<Bandwidth> c;
  for (double b : bps) c.push_back(Bandwidth::bits_per_second(b));
  FlowNetwork net(c);
  for (ResourceId i = 0; i < 100; ++i) {
    const ResourceId r[2] = {i, 100};
    net.start(us(i), r, Bytes::of(1'000'000), i);
  }
  std::vector<FlowDone> done;
  net.advance(Time::micros(1'000'000'000), done);
  EXPECT_EQ(done.size(), 100u);
  EXPECT_LE(net.full_solves(), 3u);
  EXPECT_LE(net.recomputations(), 200u);  // one per start, one per batch of simultaneous ends
}

// Reference: progressive filling over single flows from scratch, the textbook way.
std::vector<double> naive_max_min(const std::vector<double>& cap,
                                  const std::vector<std::vector<ResourceId>>& routes) {
  const std::size_t n = routes.size();
  std::vector<double> rate(n, 0.0), rem = cap;
  std::vector<bool> frozen(n, false);
  std::size_t left = n;
  while (left > 0) {
    double best = std::numeric_limits<double>::infinity();
    std::size_t best_r = 0;
    for (std::size_t r = 0; r < cap.size(); ++r) {
      int k = 0;
      for (std::size_t f = 0; f < n; ++f)
        if (!frozen[f] && std::find(routes[f].begin(), routes[f].end(), r) != routes[f].end()) ++k;
      if (k > 0 && rem[r] / k < best) best = rem[r] / k, best_r = r;
    }
    for (std::size_t f = 0; f < n; ++f)
      if (!frozen[f] && std::find(routes[f].begin(), routes[f].end(), best_r) != routes[f].end()) {
        frozen[f] = true;
        rate[f] = best;
        --left;
        for (ResourceId r : routes[f]) rem[r] -= best;
      }
  }
  return rate;
}

// `each_step`, when given, sees the network after every step (and the resource count).
std::vector<FlowDone> random_run(std::uint64_t seed, bool check_rates,
                                 const std::function<void(const FlowNetwork&, std::size_t)>& each_step = {}) {
  std::mt19937_64 rng(seed);
  const std::size_t resources = 2 + rng() % 7;
  std::vector<double> cap;
  std::vector<Bandwidth> bw;
  for (std::size_t i = 0; i < resources; ++i) {
    // A few distinct capacities, so that ties between resources happen too.
    cap.push_back(1e6 * static_cast<double>(1 + rng() % 4) * (rng() % 2 ? 10.0 : 1.0));
    bw.push_back(Bandwidth::bits_per_second(cap.back()));
  }
  FlowNetwork net(bw);
  std::map<FlowId, std::vector<ResourceId>> routes;  // active flows
  std::vector<FlowDone> all;
  Time now;
  for (int step = 0; step < 200; ++step) {
    const auto action = rng() % 10;
    if (action < 5 || routes.empty()) {
      std::vector<ResourceId> r;
      for (ResourceId i = 0; i < resources; ++i)
        if (rng() % 3 == 0) r.push_back(i);
      if (r.empty()) r.push_back(static_cast<ResourceId>(rng() % resources));
      std::shuffle(r.begin(), r.end(), rng);
      const FlowId id = net.start(now, r, Bytes::of(1 + rng() % 200'000), static_cast<std::uint64_t>(step));
      routes[id] = r;
    } else if (action < 7) {
      auto it = routes.begin();
      std::advance(it, static_cast<long>(rng() % routes.size()));
      net.cancel(now, it->first);
      routes.erase(it);
    } else {
      now += Duration::micros(static_cast<std::int64_t>(rng() % 50'000));
      std::vector<FlowDone> done;
      net.advance(now, done);
      for (const FlowDone& d : done) routes.erase(d.id);
      all.insert(all.end(), done.begin(), done.end());
    }
    EXPECT_EQ(net.active(), routes.size());
    if (each_step) each_step(net, resources);
    if (!check_rates || routes.empty()) continue;
    std::vector<std::vector<ResourceId>> rs;
    for (const auto& [id, r] : routes) rs.push_back(r);
    const auto expected = naive_max_min(cap, rs);
    std::size_t k = 0;
    for (const auto& [id, r] : routes) {
      EXPECT_NEAR(net.rate(id), expected[k], 1e-9 * expected[k]) << "seed " << seed << " step " << step;
      ++k;
    }
  }
  std::vector<FlowDone> done;
  net.advance(Time::micros(1'000'000'000'000), done);
  all.insert(all.end(), done.begin(), done.end());
  EXPECT_EQ(net.active(), 0u);
  return all;
}

TEST(FlowNetwork, RandomizedRatesMatchNaiveProgressiveFilling) {
  for (std::uint64_t seed = 1; seed <= 60; ++seed) random_run(seed, true);
}

TEST(FlowNetwork, SameCallsSameResults) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const auto a = random_run(seed, false);
    const auto b = random_run(seed, false);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].id, b[i].id);
      EXPECT_EQ(a[i].tag, b[i].tag);
      EXPECT_EQ(a[i].sent, b[i].sent);
    }
  }
}

TEST(FlowNetwork, ShareForEqualsTheUncachedValueBitForBit) {
  // After every step of random runs (starts, cancels, ends at advance), for every single resource and
  // a few random routes, asked twice: the cached share is the from-scratch one, exactly.
  std::uint64_t compared = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    std::mt19937_64 rng(seed * 7919);
    random_run(seed, false, [&](const FlowNetwork& net, std::size_t resources) {
      std::vector<std::vector<ResourceId>> asked;
      for (ResourceId r = 0; r < resources; ++r) asked.push_back({r});
      for (int k = 0; k < 4; ++k) {
        std::vector<ResourceId> rt;
        for (ResourceId r = 0; r < resources; ++r)
          if (rng() % 2 == 0) rt.push_back(r);
        if (!rt.empty()) asked.push_back(rt);
      }
      for (int twice = 0; twice < 2; ++twice)
        for (const auto& rt : asked) {
          ASSERT_EQ(net.share_for(rt).bits_per_second(), net.share_for_uncached(rt).bits_per_second())
              << "seed " << seed;
          ++compared;
        }
    });
  }
  EXPECT_GT(compared, 40u * 200u);
}

}  // namespace
}  // namespace jettison::sim::net
