// `none` and `spatial`, and the registry's prefetchers: names, and the rules every one keeps
// (pages in range, no duplicates, never the faulting page, deterministic, clone() = same state).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <vector>

#include "policy/no_prefetch.hpp"
#include "policy/prefetchers.hpp"
#include "policy/spatial_prefetch.hpp"

namespace jettison::policy {
namespace {

using Pages = std::vector<PageId>;

Pages fault(Prefetcher& p, PageId page) {
  Pages out;
  p.on_fault(Time{}, page, out);
  return out;
}

Pages migrate(Prefetcher& p) {
  Pages out;
  p.on_migration(Time{}, out);
  return out;
}

TEST(PrefetchNone, NeverSendsAnything) {
  NoPrefetch p;
  EXPECT_TRUE(migrate(p).empty());
  EXPECT_TRUE(fault(p, 5).empty());
  const Pages touched{1, 2, 3};
  p.on_period_end(touched);
  EXPECT_TRUE(migrate(p).empty());
  EXPECT_TRUE(fault(p, 1).empty());
  EXPECT_TRUE(fault(*p.clone(), 2).empty());
}

TEST(PrefetchSpatial, NeighboursNearestFirstLowerSideFirst) {
  SpatialPrefetch p(3, 100);
  EXPECT_EQ(fault(p, 50), (Pages{49, 51, 48, 52, 47, 53}));
  EXPECT_TRUE(migrate(p).empty());
}

TEST(PrefetchSpatial, ClipsAtBothEndsOfMemory) {
  SpatialPrefetch p(3, 100);
  EXPECT_EQ(fault(p, 0), (Pages{1, 2, 3}));
  EXPECT_EQ(fault(p, 1), (Pages{0, 2, 3, 4}));
  EXPECT_EQ(fault(p, 99), (Pages{98, 97, 96}));
  EXPECT_EQ(fault(p, 98), (Pages{97, 99, 96, 95}));
}

TEST(PrefetchSpatial, RadiusWiderThanMemory) {
  SpatialPrefetch p(8, 3);
  EXPECT_EQ(fault(p, 1), (Pages{0, 2}));
  EXPECT_EQ(fault(p, 0), (Pages{1, 2}));
  SpatialPrefetch one(8, 1);
  EXPECT_TRUE(fault(one, 0).empty());
}

TEST(PrefetchSpatial, NothingForRadiusZeroOrAPageOutsideMemory) {
  EXPECT_TRUE(fault(*std::make_unique<SpatialPrefetch>(0, 100), 50).empty());
  SpatialPrefetch p(2, 100);
  EXPECT_TRUE(fault(p, 100).empty());
  EXPECT_TRUE(fault(p, std::numeric_limits<PageId>::max()).empty());
}

TEST(PrefetchSpatial, NoOverflowAtTheTopOfTheIdSpace) {
  const PageId max = std::numeric_limits<PageId>::max();
  SpatialPrefetch p(2, max);  // valid ids [0, max)
  EXPECT_EQ(fault(p, max - 1), (Pages{max - 2, max - 3}));
  EXPECT_EQ(fault(p, max - 2), (Pages{max - 3, max - 1, max - 4}));
}

TEST(PrefetchSpatial, AppendsToWhatTheCallerPassed) {
  SpatialPrefetch p(1, 10);
  Pages out{7};
  p.on_fault(Time{}, 3, out);
  EXPECT_EQ(out, (Pages{7, 2, 4}));
}

TEST(PrefetchRegistry, NamesDescriptionsAndFactories) {
  const PrefetchRegistry& r = prefetchers();
  EXPECT_EQ(r.names(), "none, spatial, history, markov");
  const PrefetchParams params;
  const VmShape vm{1024, Bytes::of(4096)};
  for (const auto& e : r.entries()) {
    EXPECT_FALSE(e.description.empty()) << e.name;
    EXPECT_NE(e.make(params, vm), nullptr) << e.name;
  }
  EXPECT_EQ(r.find("oracle"), nullptr);
}

// Callers that hold one prefetcher a desktop hold none for an inert rule and must then act as it
// does (the simulator: a null prefetcher, and partial counts pages instead of flagging them): only
// `none` is inert, and its object indeed never adds a page, at migration or at a fault.
TEST(PrefetchRegistry, OnlyNoneIsInertAndItNeverPrefetches) {
  const PrefetchRegistry& r = prefetchers();
  for (const auto& e : r.entries()) EXPECT_EQ(e.inert, e.name == "none") << e.name;
  auto none = r.find("none")->make(PrefetchParams{}, VmShape{1024, Bytes::of(4096)});
  Pages out;
  none->on_migration(Time{}, out);
  for (PageId p = 0; p < 1024; p += 7) none->on_fault(Time::micros(static_cast<std::int64_t>(p)), p, out);
  none->on_period_end(Pages{1, 2, 3});
  none->on_migration(Time::micros(5000), out);
  EXPECT_TRUE(out.empty());
}

TEST(PrefetchRegistry, SpatialReadsRadius) {
  PrefetchParams params;
  params.radius = 1;
  auto p = prefetchers().find("spatial")->make(params, VmShape{100, Bytes::of(4096)});
  EXPECT_EQ(fault(*p, 10), (Pages{9, 11}));
}

// A deterministic pseudo-random stream (no std:: distributions: their output is not portable).
struct Lcg {
  std::uint64_t s;
  std::uint64_t next(std::uint64_t bound) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (s >> 33) % bound;
  }
};

// Drives a prefetcher over `periods` periods of faults drawn from a small page set with a repeating
// core (so the learning prefetchers have something to learn), collecting every call's output.
std::vector<Pages> drive(Prefetcher& p, std::uint64_t pages, int periods, std::uint64_t seed,
                         bool check_rules) {
  Lcg rng{seed};
  std::vector<Pages> log;
  for (int period = 0; period < periods; ++period) {
    std::set<PageId> resident;
    Pages out;
    p.on_migration(Time{}, out);
    log.push_back(out);
    if (check_rules) {
      EXPECT_EQ(std::set<PageId>(out.begin(), out.end()).size(), out.size()) << "duplicates at migration";
      for (PageId q : out) EXPECT_LT(q, pages);
    }
    resident.insert(out.begin(), out.end());
    for (int i = 0; i < 120; ++i) {
      const PageId page = i % 3 == 0 ? rng.next(pages) : (static_cast<PageId>(i) * 7) % 40;
      if (resident.contains(page)) continue;
      resident.insert(page);
      out.clear();
      p.on_fault(Time::micros(i * 1000), page, out);
      log.push_back(out);
      if (check_rules) {
        EXPECT_EQ(std::set<PageId>(out.begin(), out.end()).size(), out.size()) << "duplicates at a fault";
        EXPECT_EQ(std::count(out.begin(), out.end(), page), 0) << "the faulting page itself";
        for (PageId q : out) EXPECT_LT(q, pages);
      }
      resident.insert(out.begin(), out.end());
    }
    const Pages touched(resident.begin(), resident.end());
    p.on_period_end(touched);
  }
  return log;
}

TEST(PrefetchRegistry, EveryPrefetcherKeepsTheRules) {
  PrefetchParams params;
  params.budget = Bytes::of(8 * 4096);
  params.radius = 3;
  params.depth = 3;
  for (const std::uint64_t pages :
       {std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{64}, std::uint64_t{5000}}) {
    const VmShape vm{pages, Bytes::of(4096)};
    for (const auto& e : prefetchers().entries()) {
      SCOPED_TRACE(e.name + " pages=" + std::to_string(pages));
      auto p = e.make(params, vm);
      drive(*p, pages, 6, 7, true);
    }
  }
}

TEST(PrefetchRegistry, DeterministicAndCloneContinuesIdentically) {
  PrefetchParams params;
  params.budget = Bytes::of(8 * 4096);
  const VmShape vm{200, Bytes::of(4096)};
  for (const auto& e : prefetchers().entries()) {
    SCOPED_TRACE(e.name);
    auto a = e.make(params, vm);
    auto b = e.make(params, vm);
    const auto log = drive(*a, 200, 4, 11, false);
    EXPECT_EQ(drive(*b, 200, 4, 11, false), log);
    const bool sent = std::any_of(log.begin(), log.end(), [](const Pages& o) { return !o.empty(); });
    EXPECT_EQ(sent, e.name != "none");  // the comparisons above are not vacuous
    auto c = a->clone();
    const auto from_a = drive(*a, 200, 3, 12, false);
    EXPECT_EQ(drive(*c, 200, 3, 12, false), from_a);
  }
}

}  // namespace
}  // namespace jettison::policy
