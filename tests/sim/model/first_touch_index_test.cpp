// The first-touch index against a brute-force replay: on random profiles (repeating or not, with
// bursts of equal time stamps, few or many pages, any share of writes) and random start offsets, the
// cursor yields exactly the accesses that are their page's first access or first write since the
// start, in time order, with the right "skipped before" marks, and says which of the two each access is
// (first_touch, first_write: what the partial replay without per-page state counts on, in both index
// modes); collect_writes finds the pages written.
#include "sim/model/first_touch_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "sim/model/profile_replay.hpp"

namespace {

using jettison::Duration;
using jettison::sim::collect_writes;
using jettison::sim::FirstTouchCursor;
using jettison::sim::FirstTouchIndex;
using jettison::sim::PageAccess;
using jettison::sim::PageProfile;
using jettison::sim::PageSet;

PageProfile random_profile(std::mt19937_64& rng) {
  auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  PageProfile p;
  const auto n = static_cast<std::size_t>(pick(0, 400));
  const auto pages = static_cast<std::uint32_t>(pick(1, 60));
  const double writes = std::uniform_real_distribution<double>(0, 1)(rng);
  const std::int64_t span = pick(1, 50'000'000);
  for (std::uint32_t s = 0; s < pages; ++s) p.gfns.push_back(1000 + s);
  std::vector<std::int64_t> times(n);
  for (auto& t : times) t = pick(0, span);
  for (std::size_t i = 1; i < n; ++i)
    if (pick(0, 3) == 0) times[i] = times[i - 1];  // bursts at one time stamp
  std::sort(times.begin(), times.end());
  for (std::size_t i = 0; i < n; ++i) {
    p.accesses.push_back(
        {times[i], static_cast<std::uint32_t>(pick(0, pages - 1)), std::bernoulli_distribution(writes)(rng)});
  }
  const std::int64_t last = n == 0 ? 0 : times.back();
  p.cycle = Duration::micros(last + pick(1, 3'000'000));
  p.repeat = pick(0, 2) != 0;
  return p;
}

struct Kept {
  std::int64_t offset;
  std::size_t index;
  bool skipped_before;
  std::int64_t skipped_until;  // when skipped_before
  bool first_touch;
  bool first_write;
  friend bool operator==(const Kept&, const Kept&) = default;
};

// Replays every access from `from` to `until` (exclusive), copy after copy, keeping those that set
// kTouched or kDirty for the first time.
// With `every`, keeps every access (no skips), each with its two marks.
std::vector<Kept> brute_force(const PageProfile& p, std::int64_t from, std::int64_t until,
                              bool every = false) {
  std::vector<Kept> out;
  if (p.accesses.empty()) return out;
  std::set<std::uint32_t> touched, dirty;
  const std::int64_t cycle = p.cycle.us();
  bool skipped = false;
  std::int64_t previous = 0;
  for (std::int64_t base = p.repeat ? from / cycle * cycle : 0; base < until; base += cycle) {
    for (std::size_t i = 0; i < p.accesses.size(); ++i) {
      const PageAccess& a = p.accesses[i];
      const std::int64_t t = base + a.offset_us;
      if (t < from) continue;
      if (t >= until) return out;
      const bool first_touch = touched.insert(a.slot).second;  // both sets updated, always
      const bool first_write = a.write && dirty.insert(a.slot).second;
      const bool changes = first_touch || first_write;
      if (changes || every) {
        out.push_back({t, i, skipped, skipped ? previous : 0, first_touch, first_write});
        skipped = false;
      } else {
        skipped = true;
      }
      previous = t;
    }
    if (!p.repeat) break;
  }
  return out;
}

std::vector<Kept> walk(const FirstTouchIndex& index, std::int64_t from, std::int64_t until) {
  std::vector<Kept> out;
  FirstTouchCursor c;
  for (c.start(index, from); !c.done() && c.offset_us() < until; c.advance()) {
    const auto i = static_cast<std::size_t>(&c.access() - index.profile().accesses.data());
    out.push_back({c.offset_us(), i, c.skipped_before(), c.skipped_before() ? c.skipped_until_us() : 0,
                   c.first_touch(), c.first_write()});
  }
  return out;
}

TEST(FirstTouchIndex, KeepsExactlyTheAccessesThatChangeStateOnRandomProfiles) {
  std::mt19937_64 rng(20261202);
  int kept_total = 0, skipped_total = 0;
  for (int round = 0; round < 400; ++round) {
    SCOPED_TRACE("profile " + std::to_string(round));
    const PageProfile p = random_profile(rng);
    const FirstTouchIndex index(p, FirstTouchIndex::Mode::kFirstTouches);
    const FirstTouchIndex every(p, FirstTouchIndex::Mode::kEveryAccess);
    const std::int64_t cycle = p.cycle.us();
    for (int q = 0; q < 20; ++q) {
      const std::int64_t from = std::uniform_int_distribution<std::int64_t>(0, 4 * cycle)(rng);
      // Up to four cycles on: a repeating profile keeps nothing after the first cycle past `from`.
      const std::int64_t until = from + std::uniform_int_distribution<std::int64_t>(1, 4 * cycle)(rng);
      const std::vector<Kept> expected = brute_force(p, from, until);
      ASSERT_EQ(walk(index, from, until), expected) << "from " << from << " until " << until;
      kept_total += static_cast<int>(expected.size());
      for (const Kept& k : expected) skipped_total += k.skipped_before;

      // The reference mode keeps every access, none skipped, each marked as the brute force marks it.
      ASSERT_EQ(walk(every, from, until), brute_force(p, from, until, /*every=*/true));
      std::size_t all = 0;
      FirstTouchCursor c;
      for (c.start(every, from); !c.done() && c.offset_us() < until; c.advance()) {
        ASSERT_FALSE(c.skipped_before());
        ++all;
      }
      std::size_t in_range = 0;
      for (std::int64_t base = p.repeat ? from / cycle * cycle : 0; base < until; base += cycle) {
        for (const PageAccess& a : p.accesses)
          in_range += base + a.offset_us >= from && base + a.offset_us < until;
        if (!p.repeat) break;
      }
      ASSERT_EQ(all, in_range);

      // collect_writes: the pages written in [from, until), by both indexes.
      std::set<std::uint32_t> written;
      for (std::int64_t base = p.repeat ? from / cycle * cycle : 0; base < until; base += cycle) {
        for (const PageAccess& a : p.accesses)
          if (a.write && base + a.offset_us >= from && base + a.offset_us < until) written.insert(a.slot);
        if (!p.repeat) break;
      }
      for (const FirstTouchIndex* ix : {&index, &every}) {
        PageSet set;
        set.resize(p.unique_pages());
        collect_writes(*ix, from, until, set);
        ASSERT_EQ(set.size(), written.size());
        for (std::uint32_t s : written) ASSERT_TRUE(set.contains(s));
      }
    }
  }
  // The random profiles exercise both kinds of accesses and skips.
  EXPECT_GT(kept_total, 10'000);
  EXPECT_GT(skipped_total, 1'000);
}

TEST(FirstTouchIndex, NextFindsTheFirstKeyBelowTheBound) {
  // Keys by hand: a profile "read 0, read 1, read 0, write 0, read 1" at offsets 0..4, no repeat:
  // keys kNone, kNone, 0 (read 0 at 0), kNone (first write of 0), 1 (read 1 at 1).
  PageProfile p;
  p.gfns = {7, 8};
  p.accesses = {{0, 0, false}, {1, 1, false}, {2, 0, false}, {3, 0, true}, {4, 1, false}};
  p.cycle = Duration::micros(5);
  p.repeat = false;
  const FirstTouchIndex ix(p, FirstTouchIndex::Mode::kFirstTouches);
  EXPECT_EQ(ix.key(0), FirstTouchIndex::kNone);
  EXPECT_EQ(ix.key(2), 0);
  EXPECT_EQ(ix.key(3), FirstTouchIndex::kNone);
  EXPECT_EQ(ix.key(4), 1);
  EXPECT_EQ(ix.next(0, 0), 0U);
  EXPECT_EQ(ix.next(2, 0), 3U);  // key 0 is not below 0
  EXPECT_EQ(ix.next(2, 1), 2U);
  EXPECT_EQ(ix.next(4, 1), 5U);  // none: size()
  EXPECT_EQ(ix.next(4, 2), 4U);
}

}  // namespace
