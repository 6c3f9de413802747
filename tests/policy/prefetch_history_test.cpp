// `history`: ranking by periods touched (ties: recency, then page id), the byte budget, the memory
// bound, clone().
#include <gtest/gtest.h>

#include <vector>

#include "policy/history_prefetch.hpp"

namespace jettison::policy {
namespace {

using Pages = std::vector<PageId>;
constexpr std::uint64_t kPage = 4096;

Pages migrate(Prefetcher& p) {
  Pages out;
  p.on_migration(Time{}, out);
  return out;
}

void end_period(Prefetcher& p, Pages touched) { p.on_period_end(touched); }

TEST(PrefetchHistory, NothingInTheFirstPeriod) {
  HistoryPrefetch p(Bytes::of(4 * kPage), VmShape{1000, Bytes::of(kPage)});
  EXPECT_TRUE(migrate(p).empty());
  Pages out;
  p.on_fault(Time{}, 10, out);
  EXPECT_TRUE(out.empty());  // history only acts at migration
}

TEST(PrefetchHistory, RanksByPeriodsThenRecencyThenPageIdWithinBudget) {
  HistoryPrefetch p(Bytes::of(4 * kPage), VmShape{1000, Bytes::of(kPage)});
  end_period(p, {10, 20, 30, 40});
  // 10, 20, 30, 40: one period each, all last touched in period 1 -> page id decides.
  EXPECT_EQ(migrate(p), (Pages{10, 20, 30, 40}));
  end_period(p, {30, 20, 50});
  // 20, 30: 2 periods; 50: 1, last in period 2; 10, 40: 1, last in period 1 -> 10 before 40; cut at 4.
  EXPECT_EQ(migrate(p), (Pages{20, 30, 50, 10}));
  end_period(p, {60, 50, 30, 20});
  // 20, 30: 3; 50: 2; 60: 1 in period 3 (beats 10 and 40, 1 in period 1).
  EXPECT_EQ(migrate(p), (Pages{20, 30, 50, 60}));
  ASSERT_EQ(p.ranked().size(), 6u);
  EXPECT_EQ(p.ranked()[4].page, 10u);
  EXPECT_EQ(p.ranked()[5].page, 40u);
  EXPECT_EQ(p.ranked()[0].periods, 3u);
  EXPECT_EQ(p.ranked()[0].last, 3u);
  EXPECT_EQ(p.periods(), 3u);
}

TEST(PrefetchHistory, BudgetCountsWholePages) {
  HistoryPrefetch p(Bytes::of(2 * kPage + kPage - 1), VmShape{1000, Bytes::of(kPage)});
  EXPECT_EQ(p.budget_pages(), 2u);
  end_period(p, {5, 6, 7});
  EXPECT_EQ(migrate(p), (Pages{5, 6}));

  HistoryPrefetch none(Bytes::of(kPage - 1), VmShape{1000, Bytes::of(kPage)});
  end_period(none, {5, 6, 7});
  EXPECT_TRUE(migrate(none).empty());
  EXPECT_TRUE(none.ranked().empty());

  HistoryPrefetch zero_page(Bytes::of(kPage), VmShape{1000, Bytes{}});
  end_period(zero_page, {5});
  EXPECT_TRUE(migrate(zero_page).empty());
}

TEST(PrefetchHistory, RemembersAtMostFourTimesTheBudgetEvictingTheWorstRanked) {
  HistoryPrefetch p(Bytes::of(kPage), VmShape{1000, Bytes::of(kPage)});
  EXPECT_EQ(p.capacity(), 4u);
  end_period(p, {1, 2, 3, 4, 5});
  ASSERT_EQ(p.ranked().size(), 4u);  // 5 ranked last (page id) and forgotten
  EXPECT_EQ(p.ranked().back().page, 4u);
  EXPECT_EQ(migrate(p), (Pages{1}));
  end_period(p, {5});
  // 5 is now the most recent; 4 is the worst of the rest and goes.
  ASSERT_EQ(p.ranked().size(), 4u);
  EXPECT_EQ(p.ranked()[0].page, 5u);
  EXPECT_EQ(p.ranked()[3].page, 3u);
  EXPECT_EQ(migrate(p), (Pages{5}));
}

TEST(PrefetchHistory, CapacityNeverExceedsTheVm) {
  HistoryPrefetch p(Bytes::of(100 * kPage), VmShape{10, Bytes::of(kPage)});
  EXPECT_EQ(p.budget_pages(), 10u);
  EXPECT_EQ(p.capacity(), 10u);
}

TEST(PrefetchHistory, IgnoresDuplicatesAndPagesOutsideTheVm) {
  HistoryPrefetch p(Bytes::of(4 * kPage), VmShape{100, Bytes::of(kPage)});
  end_period(p, {7, 7, 100, 3, 7, 5000});
  EXPECT_EQ(migrate(p), (Pages{3, 7}));
  end_period(p, {7, 7});
  ASSERT_EQ(p.ranked().size(), 2u);
  EXPECT_EQ(p.ranked()[0].page, 7u);
  EXPECT_EQ(p.ranked()[0].periods, 2u);
}

TEST(PrefetchHistory, EmptyPeriodsStillCount) {
  HistoryPrefetch p(Bytes::of(4 * kPage), VmShape{100, Bytes::of(kPage)});
  end_period(p, {});
  EXPECT_TRUE(migrate(p).empty());
  end_period(p, {8});
  end_period(p, {});
  EXPECT_EQ(migrate(p), (Pages{8}));
  EXPECT_EQ(p.ranked()[0].last, 2u);
}

TEST(PrefetchHistory, CloneIsIndependent) {
  HistoryPrefetch p(Bytes::of(2 * kPage), VmShape{1000, Bytes::of(kPage)});
  end_period(p, {1, 2, 3});
  auto copy = p.clone();
  EXPECT_EQ(migrate(*copy), (Pages{1, 2}));
  end_period(*copy, {3, 9});
  end_period(*copy, {9});
  EXPECT_EQ(migrate(*copy), (Pages{9, 3}));
  EXPECT_EQ(migrate(p), (Pages{1, 2}));  // the original did not learn the copy's periods
  EXPECT_EQ(p.periods(), 1u);
}

}  // namespace
}  // namespace jettison::policy
