// A small pure replay evaluator for prefetchers (test-only), its figures checked by hand on tiny
// examples, and the comparison of the prefetchers on a synthetic periodic-burst workload.
//
// Replay: each period starts with nothing on the server. The prefetcher's on_migration pages arrive
// first; then each access is a hit if its page is on the server, else a fault (the page comes, and
// on_fault's pages with it). Prefetched pages are the ones that were not on the server yet; one is
// "used" when the VM touches it later in the period. Wake-ups: the desktop is awake at the start of
// the period and until `timeout` after the last fault; a fault after that wakes it (transfers and
// wake latency take no time here). The prefetcher sees on_period_end(touched pages) at the end.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "policy/history_prefetch.hpp"
#include "policy/markov_prefetch.hpp"
#include "policy/no_prefetch.hpp"
#include "policy/prefetchers.hpp"
#include "policy/spatial_prefetch.hpp"

namespace jettison::policy {
namespace {

struct Access {
  std::int64_t at_us;  // since the period's start
  PageId page;
};
using Period = std::vector<Access>;

struct Score {
  std::uint64_t accesses = 0;
  std::uint64_t faults = 0;
  std::uint64_t prefetched = 0;  // pages sent by the prefetcher that were not on the server yet
  std::uint64_t used = 0;        // of those, touched later in the same period
  std::uint64_t wakeups = 0;

  double precision() const {
    return prefetched ? static_cast<double>(used) / static_cast<double>(prefetched) : 0;
  }
  // Faults avoided / faults without prefetching.
  double coverage(const Score& none) const {
    return none.faults ? static_cast<double>(none.faults - faults) / static_cast<double>(none.faults) : 0;
  }
  double wakeups_avoided(const Score& none) const {
    return none.wakeups ? (static_cast<double>(none.wakeups) - static_cast<double>(wakeups)) /
                              static_cast<double>(none.wakeups)
                        : 0;
  }
};

Score replay(Prefetcher& p, const VmShape& vm, const std::vector<Period>& periods, Duration timeout) {
  Score s;
  for (const Period& period : periods) {
    std::set<PageId> on_server;
    std::set<PageId> unused;  // prefetched, not touched yet
    std::set<PageId> touched;
    std::vector<PageId> out;
    const auto receive = [&](std::optional<PageId> faulting) {
      EXPECT_EQ(std::set<PageId>(out.begin(), out.end()).size(), out.size()) << "duplicates in one call";
      for (PageId q : out) {
        EXPECT_LT(q, vm.pages);
        if (faulting) {
          EXPECT_NE(q, *faulting);
        }
        if (q < vm.pages && on_server.insert(q).second) {
          unused.insert(q);
          ++s.prefetched;
        }
      }
    };
    p.on_migration(Time{}, out);
    receive(std::nullopt);
    std::int64_t awake_until = timeout.us();
    for (const Access& a : period) {
      ++s.accesses;
      touched.insert(a.page);
      if (on_server.contains(a.page)) {
        s.used += unused.erase(a.page);
        continue;
      }
      ++s.faults;
      if (a.at_us > awake_until) ++s.wakeups;
      awake_until = a.at_us + timeout.us();
      on_server.insert(a.page);
      out.clear();
      p.on_fault(Time::micros(a.at_us), a.page, out);
      receive(a.page);
    }
    const std::vector<PageId> pages(touched.begin(), touched.end());
    p.on_period_end(pages);
  }
  return s;
}

Period at_seconds(std::vector<std::pair<std::int64_t, PageId>> accesses) {
  Period p;
  for (auto [s, page] : accesses) p.push_back({s * 1'000'000, page});
  return p;
}

constexpr std::uint64_t kPage = 4096;
const Duration kTimeout = Duration::seconds(10);

// --- Figures by hand -------------------------------------------------------------------------

TEST(PrefetchReplay, SpatialFiguresByHand) {
  // One period: 5, 6, 7, 12 on a 16-page VM, radius 1.
  //   fault 5: sends 4, 6 | hit 6 (used) | fault 7: sends 8 (6 is there) | fault 12: sends 11, 13
  // prefetched 5, used 1: precision 1/5; faults 3 of 4: coverage 1/4.
  const VmShape vm{16, Bytes::of(kPage)};
  const std::vector<Period> periods{at_seconds({{0, 5}, {1, 6}, {2, 7}, {3, 12}})};
  NoPrefetch none;
  SpatialPrefetch spatial(1, vm.pages);
  const Score base = replay(none, vm, periods, kTimeout);
  const Score s = replay(spatial, vm, periods, kTimeout);
  EXPECT_EQ(base.faults, 4u);
  EXPECT_EQ(s.faults, 3u);
  EXPECT_EQ(s.prefetched, 5u);
  EXPECT_EQ(s.used, 1u);
  EXPECT_DOUBLE_EQ(s.precision(), 0.2);
  EXPECT_DOUBLE_EQ(s.coverage(base), 0.25);
  EXPECT_EQ(s.wakeups, 0u);  // all within 10 s of the start
}

TEST(PrefetchReplay, HistoryFiguresByHand) {
  // Budget 2 pages. Period 1: 1 @20 s, 2 @21 s, 3 @40 s. Period 2: 2 @20 s, 3 @40 s, 4 @41 s.
  // Period 3: 2 @20 s, 5 @40 s.
  // none: faults 3 + 3 + 2 = 8; wake-ups (awake until 10 s, then 10 s after each fault): 20 s and
  //   40 s in each period = 6.
  // history: period 1 sends nothing (3 faults, wakes at 20 and 40). Period 2 sends 1, 2 (ranked by
  //   id, all once in period 1): 2 used; faults 3 @40 (wake), 4 @41. Period 3: 2, 3 (twice, last in
  //   period 2) sent: 2 used, fault 5 @40 (wake). Prefetched 4, used 2: precision 1/2; faults 6:
  //   coverage 2/8; wake-ups 4: 2/6 avoided.
  const VmShape vm{100, Bytes::of(kPage)};
  const std::vector<Period> periods{at_seconds({{20, 1}, {21, 2}, {40, 3}}),
                                    at_seconds({{20, 2}, {40, 3}, {41, 4}}), at_seconds({{20, 2}, {40, 5}})};
  NoPrefetch none;
  HistoryPrefetch history(Bytes::of(2 * kPage), vm);
  const Score base = replay(none, vm, periods, kTimeout);
  const Score s = replay(history, vm, periods, kTimeout);
  EXPECT_EQ(base.faults, 8u);
  EXPECT_EQ(base.wakeups, 6u);
  EXPECT_EQ(s.faults, 6u);
  EXPECT_EQ(s.prefetched, 4u);
  EXPECT_EQ(s.used, 2u);
  EXPECT_EQ(s.wakeups, 4u);
  EXPECT_DOUBLE_EQ(s.precision(), 0.5);
  EXPECT_DOUBLE_EQ(s.coverage(base), 0.25);
  EXPECT_DOUBLE_EQ(s.wakeups_avoided(base), 2.0 / 6.0);
}

TEST(PrefetchReplay, MarkovFiguresByHand) {
  // Every period: 10, 11, 12 at 20 s, then 30, 31 at 100 s. Budget 2 pages, depth 4, no seeding.
  // Period 1: 5 faults, nothing sent; learns 10->11->12->30->31. Wakes at 20 s and 100 s.
  // Period 2: fault 10 sends 11, 12 (the budget); both used. Fault 30 @100 s (wake) sends 31, used.
  //   Learns 10 -> 30. Faults 2, sent 3, used 3, wakes 2.
  // Period 3: fault 10: 11 and 30 are 1/2 each; 11 first (lower id), then 30 (1/2, no step yet)
  //   before 12 (1/2, one step): sends 11, 30. 11 hit. Fault 12 (awake) walks through 30 (there)
  //   to 31: sends 31. 30 and 31 hit at 100 s: no wake. Faults 2, sent 3, used 3, wakes 1.
  // Totals: faults 9 of 15 (coverage 6/15), sent 6, used 6 (precision 1), wakes 5 of 6.
  const VmShape vm{100, Bytes::of(kPage)};
  const Period burst = at_seconds({{20, 10}, {20, 11}, {20, 12}, {100, 30}, {100, 31}});
  const std::vector<Period> periods{burst, burst, burst};
  NoPrefetch none;
  MarkovPrefetch markov(Bytes::of(2 * kPage), 4, vm, false);
  const Score base = replay(none, vm, periods, kTimeout);
  const Score s = replay(markov, vm, periods, kTimeout);
  EXPECT_EQ(base.faults, 15u);
  EXPECT_EQ(base.wakeups, 6u);
  EXPECT_EQ(s.faults, 9u);
  EXPECT_EQ(s.prefetched, 6u);
  EXPECT_EQ(s.used, 6u);
  EXPECT_EQ(s.wakeups, 5u);
  EXPECT_DOUBLE_EQ(s.precision(), 1.0);
  EXPECT_DOUBLE_EQ(s.coverage(base), 6.0 / 15.0);
}

// --- Synthetic periodic-burst workload -------------------------------------------------------

struct Lcg {
  std::uint64_t s;
  std::uint64_t next(std::uint64_t bound) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (s >> 33) % bound;
  }
};

// An idle VM's hour, in the shape of traces/samples: timer ticks every 2 s on a 24-page hot set;
// mail polling every ~300 s touching a 30-page core (same order each time), 10 pages from a
// rotating window of a 400-page pool and 3 new pages (working-set growth); a service every ~60 s
// touching 8 pages of a 100-page pool. The same hour replays from its start in every period;
// periods differ in length, as idle periods do.
std::vector<Access> synthetic_hour() {
  Lcg rng{2024};
  std::vector<Access> a;
  const auto at = [](double s) { return static_cast<std::int64_t>(s * 1e6); };
  for (int k = 0; k * 2 < 3600; ++k) {
    a.push_back({at(2.0 * k), 1000 + static_cast<PageId>(k * 5 % 24)});
    a.push_back({at(2.0 * k), 1000 + static_cast<PageId>((k * 11 + 3) % 24)});
  }
  int burst = 0;
  for (double t = 150; t < 3600; t += 270 + static_cast<double>(rng.next(61)), ++burst) {
    for (PageId i = 0; i < 30; ++i)
      a.push_back({at(t + 0.01 * static_cast<double>(i)), 20000 + (i * 7) % 30});
    for (PageId i = 0; i < 10; ++i)
      a.push_back(
          {at(t + 0.3 + 0.01 * static_cast<double>(i)), 20030 + (static_cast<PageId>(burst) * 10 + i) % 370});
    for (PageId i = 0; i < 3; ++i) a.push_back({at(t + 0.4), 40000 + static_cast<PageId>(burst) * 3 + i});
  }
  for (double t = 40; t < 3600; t += 50 + static_cast<double>(rng.next(21))) {
    const PageId start = rng.next(92);
    for (PageId i = 0; i < 8; ++i) a.push_back({at(t + 0.02 * static_cast<double>(i)), 30000 + start + i});
  }
  std::stable_sort(a.begin(), a.end(), [](const Access& x, const Access& y) { return x.at_us < y.at_us; });
  return a;
}

std::vector<Period> synthetic_periods() {
  const std::vector<Access> hour = synthetic_hour();
  std::vector<Period> periods;
  for (const std::int64_t minutes : {60, 20, 60, 10, 40, 60, 15, 60, 30, 60}) {
    Period p;
    for (const Access& x : hour)
      if (x.at_us < minutes * 60'000'000) p.push_back(x);
    periods.push_back(std::move(p));
  }
  return periods;
}

TEST(PrefetchReplay, MarkovBeatsHistoryOnPeriodicBursts) {
  const VmShape vm{1 << 16, Bytes::of(kPage)};
  const std::vector<Period> periods = synthetic_periods();
  PrefetchParams params;
  params.budget = Bytes::of(64 * kPage);  // a fifth of the hour's ~330 pages
  params.radius = 4;
  params.depth = 4;

  NoPrefetch none;
  const Score base = replay(none, vm, periods, kTimeout);
  std::printf("  %-14s %8s %8s %8s %6s %9s %8s %8s\n", "prefetcher", "faults", "sent", "used", "wakes",
              "precision", "coverage", "wake-av");
  std::vector<std::pair<std::string, Score>> scores;
  const auto run = [&](const std::string& name, Prefetcher& p) {
    const Score s = replay(p, vm, periods, kTimeout);
    EXPECT_EQ(s.faults + s.used, base.faults) << name << ": each used prefetch is one fault avoided";
    std::printf("  %-14s %8llu %8llu %8llu %6llu %9.3f %8.3f %8.3f\n", name.c_str(),
                static_cast<unsigned long long>(s.faults), static_cast<unsigned long long>(s.prefetched),
                static_cast<unsigned long long>(s.used), static_cast<unsigned long long>(s.wakeups),
                s.precision(), s.coverage(base), s.wakeups_avoided(base));
    scores.emplace_back(name, s);
    return s;
  };
  for (const auto& e : prefetchers().entries()) {
    auto p = e.make(params, vm);
    run(e.name, *p);
  }
  MarkovPrefetch chains(params.budget, params.depth, vm, false);
  const Score chains_only = run("markov-chains", chains);

  const Score& history = scores[2].second;
  const Score& markov = scores[3].second;
  ASSERT_EQ(scores[2].first, "history");
  ASSERT_EQ(scores[3].first, "markov");
  EXPECT_GT(markov.coverage(base), history.coverage(base));
  EXPECT_LT(markov.wakeups, history.wakeups);
  // Even without the history part at migration, the learned chains cover more than history.
  EXPECT_GT(chains_only.coverage(base), history.coverage(base));
  EXPECT_LT(chains_only.wakeups, base.wakeups);
}

}  // namespace
}  // namespace jettison::policy
