// Flow-level network model throughput: the incremental FlowNetwork against a naive reference that
// runs a full progressive filling over every flow at every event (same loop, same workload).
//
//   BM_Star/<uplink Mb/s>/<flows>/<naive>: flows arrive 1 ms apart, each 100 MiB over its own 1 Gb/s
//     desktop link and one shared uplink, driven by the simulator's loop (start at arrival,
//     next_completion/advance until all are done). Counter events/s (starts + ends).
//   BM_TwoTier/<flows>/<naive>: `flows` concurrent flows over 100 access links (1 Gb/s) and a 10 Gb/s
//     core uplink; each end starts a new flow on a random access link (steady state), 20,000 events.
//   BM_ShareFor/<desktops>/<flows>/<uncached>: the page-fetch query. A star of `desktops` 1 Gb/s links
//     and a 10 Gb/s uplink with `flows` long flows (on desktops 0..flows-1); each iteration cancels one
//     flow and starts it again (the flows change, as between fetches in a run), then asks share_for
//     on 1,000 random desktops' routes (desktop link, uplink). uncached=1 asks share_for_uncached,
//     the pre-cache computation (sum of the groups' loads per resource at every call), as baseline.
//     Counter fetches/s; ns per fetch = 1e9 / fetches/s (the change's cost is shared by the 1,000).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <vector>

#include "sim/network/flow_network.hpp"
#include "sim/network/max_min_solver.hpp"

namespace {

using namespace jettison;
using namespace jettison::sim::net;

// The baseline: every flow's remaining bits, rates from a full solve over all flows at each event.
class NaiveNetwork {
 public:
  explicit NaiveNetwork(std::vector<double> caps) : caps_(std::move(caps)) {}
  void start(Time now, std::vector<ResourceId> route, double bits) {
    progress(now);
    flows_.push_back({std::move(route), bits, 0.0});
    solve();
  }
  Time next_completion() const {
    double best = 1e300;
    for (const F& f : flows_) best = std::min(best, std::ceil(f.remaining * 1e6 / f.rate - 1e-6));
    return flows_.empty() ? Time::never() : now_ + Duration::micros(static_cast<std::int64_t>(best));
  }
  std::size_t advance(Time t) {  // to a completion time
    progress(t);
    const auto before = flows_.size();
    std::erase_if(flows_, [](const F& f) { return f.remaining <= f.rate * 1e-12 + 1e-6; });
    if (flows_.size() != before) solve();
    return before - flows_.size();
  }
  std::size_t active() const { return flows_.size(); }

 private:
  struct F {
    std::vector<ResourceId> route;
    double remaining;
    double rate;
  };
  void progress(Time t) {
    const double dt = static_cast<double>((t - now_).us()) / 1e6;
    for (F& f : flows_) f.remaining -= f.rate * dt;
    now_ = t;
  }
  void solve() {
    problem_.clear();
    problem_.capacity = caps_;
    for (const F& f : flows_) problem_.add(f.route, 1);
    solver_.solve(problem_, solution_);
    for (std::size_t i = 0; i < flows_.size(); ++i) flows_[i].rate = solution_.rate[i];
  }
  std::vector<double> caps_;
  std::vector<F> flows_;
  Time now_;
  SharingProblem problem_;
  SharingSolution solution_;
  MaxMinSolver solver_;
};

std::vector<Bandwidth> bandwidths(const std::vector<double>& bps) {
  std::vector<Bandwidth> out;
  for (double b : bps) out.push_back(Bandwidth::bits_per_second(b));
  return out;
}

void BM_Star(benchmark::State& state) {
  const double uplink = static_cast<double>(state.range(0)) * 1e6;
  const auto n = static_cast<ResourceId>(state.range(1));
  const bool naive = state.range(2) != 0;
  std::vector<double> caps(n, 1e9);
  caps.push_back(uplink);
  const Bytes bytes = Bytes::of(100ull << 20);
  std::uint64_t events = 0, solves = 0;
  for (auto _ : state) {
    std::size_t finished = 0;
    if (!naive) {
      FlowNetwork net(bandwidths(caps));
      std::vector<FlowDone> done;
      for (ResourceId i = 0; i <= n; ++i) {
        const Time arrival = i < n ? Time::micros(std::int64_t{i} * 1000) : Time::never();
        for (Time t = net.next_completion(); t <= arrival && t != Time::never(); t = net.next_completion()) {
          net.advance(t, done);
        }
        if (i == n) break;
        const ResourceId route[2] = {i, n};
        net.start(arrival, route, bytes, i);
      }
      finished = done.size();
      solves = net.full_solves();
    } else {
      NaiveNetwork net(caps);
      for (ResourceId i = 0; i <= n; ++i) {
        const Time arrival = i < n ? Time::micros(std::int64_t{i} * 1000) : Time::never();
        for (Time t = net.next_completion(); t <= arrival && t != Time::never(); t = net.next_completion())
          finished += net.advance(t);
        if (i == n) break;
        net.start(arrival, {i, n}, static_cast<double>(bytes.count()) * 8.0);
      }
    }
    if (finished != n) state.SkipWithError("not all flows finished");
    events += 2ull * n;
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["full_solves"] = static_cast<double>(solves);
}
BENCHMARK(BM_Star)
    ->ArgNames({"uplink_mbps", "flows", "naive"})
    ->Args({1000, 10000, 0})
    ->Args({10000, 10000, 0})
    ->Args({1000, 2000, 0})
    ->Args({1000, 2000, 1})
    ->Args({10000, 2000, 1})
    ->Unit(benchmark::kMillisecond);

void BM_TwoTier(benchmark::State& state) {
  const auto concurrent = static_cast<std::size_t>(state.range(0));
  const bool naive = state.range(1) != 0;
  constexpr ResourceId kAccess = 100;
  std::vector<double> caps(kAccess, 1e9);
  caps.push_back(10e9);
  constexpr std::size_t kEvents = 20'000;
  std::uint64_t events = 0;
  for (auto _ : state) {
    std::mt19937_64 rng(7);
    auto size = [&] { return Bytes::of(1'000'000 + rng() % 100'000'000); };
    std::size_t count = 0;
    if (!naive) {
      FlowNetwork net(bandwidths(caps));
      std::vector<FlowDone> done;
      for (std::size_t i = 0; i < concurrent; ++i) {
        const ResourceId route[2] = {static_cast<ResourceId>(rng() % kAccess), kAccess};
        net.start(Time{}, route, size(), i);
      }
      while (count < kEvents) {
        const Time t = net.next_completion();
        done.clear();
        net.advance(t, done);
        for (std::size_t k = 0; k < done.size(); ++k) {
          const ResourceId route[2] = {static_cast<ResourceId>(rng() % kAccess), kAccess};
          net.start(t, route, size(), count);
        }
        count += 2 * done.size();
      }
    } else {
      NaiveNetwork net(caps);
      for (std::size_t i = 0; i < concurrent; ++i)
        net.start(Time{}, {static_cast<ResourceId>(rng() % kAccess), kAccess},
                  static_cast<double>(size().count()) * 8.0);
      while (count < kEvents) {
        const Time t = net.next_completion();
        const std::size_t ended = net.advance(t);
        for (std::size_t k = 0; k < ended; ++k)
          net.start(t, {static_cast<ResourceId>(rng() % kAccess), kAccess},
                    static_cast<double>(size().count()) * 8.0);
        count += 2 * ended;
      }
    }
    events += count;
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TwoTier)
    ->ArgNames({"flows", "naive"})
    ->Args({1000, 0})
    ->Args({10000, 0})
    ->Args({1000, 1})
    ->Args({10000, 1})
    ->Unit(benchmark::kMillisecond);

void BM_ShareFor(benchmark::State& state) {
  const auto n = static_cast<ResourceId>(state.range(0));
  const auto flows = static_cast<ResourceId>(state.range(1));
  const bool uncached = state.range(2) != 0;
  std::vector<double> caps(n, 1e9);
  caps.push_back(10e9);
  FlowNetwork net(bandwidths(caps));
  const Bytes huge = Bytes::of(1ull << 50);  // never finishes within the benchmark
  std::vector<FlowId> ids;
  for (ResourceId i = 0; i < flows; ++i) {
    const ResourceId route[2] = {i, n};
    ids.push_back(net.start(Time{}, route, huge, i));
  }
  constexpr std::size_t kQueries = 1000;
  std::mt19937_64 rng(11);
  std::vector<std::array<ResourceId, 2>> routes(4096);
  for (auto& r : routes) r = {static_cast<ResourceId>(rng() % n), n};
  std::size_t next = 0, changed = 0;
  std::int64_t now = 0;
  double sum = 0.0;
  std::uint64_t queries = 0;
  for (auto _ : state) {
    if (flows > 0) {
      const std::size_t k = changed++ % flows;
      const ResourceId route[2] = {static_cast<ResourceId>(k), n};
      net.cancel(Time::micros(++now), ids[k]);
      ids[k] = net.start(Time::micros(now), route, huge, k);
    }
    for (std::size_t q = 0; q < kQueries; ++q) {
      const auto& r = routes[next++ & 4095];
      sum += (uncached ? net.share_for_uncached(r) : net.share_for(r)).bits_per_second();
    }
    queries += kQueries;
  }
  benchmark::DoNotOptimize(sum);
  state.counters["fetches/s"] = benchmark::Counter(static_cast<double>(queries), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ShareFor)
    ->ArgNames({"desktops", "flows", "uncached"})
    ->ArgsProduct({{1000, 10000}, {0, 8, 100, 1000}, {0, 1}});

}  // namespace
