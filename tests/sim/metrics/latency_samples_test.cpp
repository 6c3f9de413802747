// LatencySamples gives the percentiles summarize() gives for the same samples kept whole, in any
// order, with many repeats or all distinct, across many buffer flushes; and keeps repeats compact.
#include "sim/metrics/latency_samples.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace jettison::sim {
namespace {

void expect_same(const LatencySummary& a, const LatencySummary& b) {
  EXPECT_EQ(a.count, b.count);
  EXPECT_EQ(a.p50.us(), b.p50.us());
  EXPECT_EQ(a.p95.us(), b.p95.us());
  EXPECT_EQ(a.p99.us(), b.p99.us());
  EXPECT_EQ(a.max.us(), b.max.us());
}

TEST(LatencySamples, EmptyHasNoSamples) {
  const LatencySamples s;
  EXPECT_EQ(s.summary().count, 0U);
  EXPECT_TRUE(s.values().empty());
}

// Nearest rank by hand: samples 1..10 (each once): p50 is the 5th (ceil(0.5 x 10) = 5), p95 and p99
// the 10th (ceil(9.5) = ceil(9.9) = 10).
TEST(LatencySamples, NearestRankByHand) {
  LatencySamples s;
  for (std::int64_t v : {7, 3, 10, 1, 9, 2, 8, 4, 6, 5}) s.add(v);
  const LatencySummary l = s.summary();
  EXPECT_EQ(l.count, 10U);
  EXPECT_EQ(l.p50.us(), 5);
  EXPECT_EQ(l.p95.us(), 10);
  EXPECT_EQ(l.p99.us(), 10);
  EXPECT_EQ(l.max.us(), 10);
}

TEST(LatencySamples, SameAsSortingEveryRandomSample) {
  std::mt19937_64 rng(15);
  // Distinct value ranges from "all repeats" to "almost all distinct"; counts across several flushes.
  for (std::int64_t range : {1, 3, 50, 10'000, 1'000'000'000}) {
    for (std::size_t n : {1UL, 2UL, 99UL, 4096UL, 4097UL, 50'000UL}) {
      SCOPED_TRACE(testing::Message() << "range " << range << ", n " << n);
      LatencySamples s;
      std::vector<std::int64_t> plain;
      for (std::size_t i = 0; i < n; ++i) {
        const auto v = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(range));
        s.add(v);
        plain.push_back(v);
        if (i == n / 2) expect_same(s.summary(), summarize(plain));  // a summary mid-way changes nothing
      }
      expect_same(s.summary(), summarize(plain));
      std::sort(plain.begin(), plain.end());
      EXPECT_EQ(s.values(), plain);
    }
  }
}

TEST(LatencySamples, AddingAnotherEqualsAddingItsSamples) {
  LatencySamples a, b, both;
  for (std::int64_t v = 0; v < 9000; ++v) {
    a.add(v % 7);
    both.add(v % 7);
    b.add(v % 1000);
  }
  for (std::int64_t v = 0; v < 9000; ++v) both.add(v % 1000);
  a.add(b);
  EXPECT_EQ(a.values(), both.values());
}

// A million samples of three resume times take a few runs, not 8 MB.
TEST(LatencySamples, RepeatsTakeSpaceByDistinctValue) {
  LatencySamples s;
  for (int i = 0; i < 1'000'000; ++i) s.add(2'500'000 + (i % 3) * 1000);
  EXPECT_EQ(s.count(), 1'000'000U);
  EXPECT_LE(s.bytes(), 2 * 4096 * sizeof(std::int64_t));
  EXPECT_EQ(s.summary().p50.us(), 2'501'000);
}

}  // namespace
}  // namespace jettison::sim
