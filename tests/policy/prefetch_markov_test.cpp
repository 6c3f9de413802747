// `markov`: learning fault sequences, sending successors within budget and depth, walking through
// pages already on the server, tie rules, memory bounds, clone().
#include <gtest/gtest.h>

#include <vector>

#include "policy/history_prefetch.hpp"
#include "policy/markov_prefetch.hpp"
#include "policy/prefetchers.hpp"

namespace jettison::policy {
namespace {

using Pages = std::vector<PageId>;
constexpr std::uint64_t kPage = 4096;
const VmShape kVm{1000, Bytes::of(kPage)};
// A burst whose page ids are not in access order.
constexpr PageId A = 400, B = 120, C = 330, D = 50, X = 600;

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

MarkovPrefetch chain_only(std::uint64_t budget_pages, std::uint32_t depth) {
  return MarkovPrefetch(Bytes::of(budget_pages * kPage), depth, kVm, /*seed_at_migration=*/false);
}

// Period 1 of every test below: the burst A, B, C, D faults in that order.
void learn_burst(Prefetcher& p) {
  EXPECT_TRUE(migrate(p).empty());
  for (PageId page : {A, B, C, D}) EXPECT_TRUE(fault(p, page).empty()) << page;  // nothing known yet
  p.on_period_end(Pages{A, B, C, D});
}

TEST(PrefetchMarkov, SendsTheRestOfALearnedBurstAtItsFirstFault) {
  MarkovPrefetch p = chain_only(3, 4);
  learn_burst(p);
  EXPECT_EQ(fault(p, A), (Pages{B, C, D}));
}

TEST(PrefetchMarkov, BudgetAndDepthCutTheChain) {
  MarkovPrefetch small = chain_only(2, 4);
  learn_burst(small);
  EXPECT_EQ(fault(small, A), (Pages{B, C}));

  MarkovPrefetch shallow = chain_only(3, 2);
  learn_burst(shallow);
  EXPECT_EQ(fault(shallow, A), (Pages{B, C}));

  MarkovPrefetch off = chain_only(3, 0);
  learn_burst(off);
  EXPECT_TRUE(fault(off, A).empty());

  MarkovPrefetch no_budget = chain_only(0, 4);
  learn_burst(no_budget);
  EXPECT_TRUE(fault(no_budget, A).empty());
}

TEST(PrefetchMarkov, ChainFromTheMiddleOfTheBurst) {
  MarkovPrefetch p = chain_only(8, 4);
  learn_burst(p);
  EXPECT_EQ(fault(p, C), (Pages{D}));
  EXPECT_TRUE(fault(p, D).empty());
}

TEST(PrefetchMarkov, LearnsTheFaultThatFollowsOnceTheBurstIsPrefetched) {
  MarkovPrefetch p = chain_only(2, 4);
  learn_burst(p);
  EXPECT_EQ(fault(p, A), (Pages{B, C}));
  EXPECT_TRUE(fault(p, D).empty());  // B and C came with A: D is the next fault, after A
  p.on_period_end(Pages{A, B, C, D});
  const auto next = p.successors(A);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].page, D);  // equal counts: the more recent first
  EXPECT_EQ(next[0].count, 1u);
  EXPECT_EQ(next[1].page, B);
  // Period 3: B and D are equally likely (1/2); the lower page id first, and the budget is spent.
  EXPECT_EQ(fault(p, A), (Pages{D, B}));
}

TEST(PrefetchMarkov, TheMoreFrequentSuccessorWins) {
  MarkovPrefetch p = chain_only(1, 1);
  fault(p, A);
  fault(p, B);
  p.on_period_end(Pages{A, B});
  EXPECT_EQ(fault(p, A), (Pages{B}));
  EXPECT_TRUE(fault(p, X).empty());  // the VM went on to X instead
  p.on_period_end(Pages{A, X});
  EXPECT_EQ(fault(p, A), (Pages{B}));  // B and X: once each; the lower page id
  EXPECT_TRUE(fault(p, X).empty());
  p.on_period_end(Pages{A, X});
  EXPECT_EQ(fault(p, A), (Pages{X}));  // X twice, B once
  const auto next = p.successors(A);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].page, X);
  EXPECT_EQ(next[0].count, 2u);
  EXPECT_EQ(next[1].count, 1u);
}

TEST(PrefetchMarkov, WalksThroughPagesAlreadyOnTheServer) {
  // Seeded: at migration the history part sends B and C (the two lowest ids of period 1's pages),
  // so at A the chain walks through them to D without spending its single step.
  const PageId a = 500, b = 100, c = 200, d = 600;
  MarkovPrefetch seeded(Bytes::of(2 * kPage), 1, kVm);
  MarkovPrefetch plain = chain_only(2, 1);
  for (Prefetcher* p : {static_cast<Prefetcher*>(&seeded), static_cast<Prefetcher*>(&plain)}) {
    for (PageId page : {a, b, c, d}) EXPECT_TRUE(fault(*p, page).empty());
    p->on_period_end(Pages{a, b, c, d});
  }
  EXPECT_EQ(migrate(seeded), (Pages{b, c}));
  EXPECT_EQ(fault(seeded, a), (Pages{d}));
  EXPECT_TRUE(migrate(plain).empty());
  EXPECT_EQ(fault(plain, a), (Pages{b}));
}

TEST(PrefetchMarkov, NeverSendsTheFaultingPageOrAPageTwiceInAPeriod) {
  MarkovPrefetch p = chain_only(4, 4);
  fault(p, A);
  fault(p, B);
  p.on_period_end(Pages{A, B});
  EXPECT_TRUE(fault(p, B).empty());  // B has no successor yet
  EXPECT_TRUE(fault(p, A).empty());  // B -> A learned; A's successor B is already here, and A is A
  p.on_period_end(Pages{A, B});
  EXPECT_EQ(fault(p, A), (Pages{B}));  // the cycle A -> B -> A stops at A
  EXPECT_TRUE(fault(p, C).empty());
  p.on_period_end(Pages{A, B, C});
  EXPECT_EQ(fault(p, B), (Pages{A, C}));  // B -> A -> {B: the root, C}
}

TEST(PrefetchMarkov, IgnoresFaultsOutsideTheVm) {
  MarkovPrefetch p = chain_only(4, 4);
  fault(p, A);
  EXPECT_TRUE(fault(p, kVm.pages).empty());
  fault(p, B);
  EXPECT_TRUE(p.successors(kVm.pages).empty());
  const auto next = p.successors(A);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].page, B);
}

TEST(PrefetchMarkov, KeepsAtMostFourSuccessorsReplacingTheLeastLikely) {
  MarkovPrefetch p = chain_only(0, 4);  // learns, never sends: every page faults
  for (PageId next : {PageId{1}, PageId{2}, PageId{1}, PageId{3}, PageId{4}, PageId{5}}) {
    fault(p, A);
    fault(p, next);
    p.on_period_end(Pages{A, next});
  }
  // 1 (twice) stays; among the once-seen 2, 3, 4 the oldest (2) made room for 5.
  const auto next = p.successors(A);
  ASSERT_EQ(next.size(), MarkovPrefetch::kSuccessors);
  EXPECT_EQ(next[0].page, 1u);
  EXPECT_EQ(next[1].page, 5u);
  EXPECT_EQ(next[2].page, 4u);
  EXPECT_EQ(next[3].page, 3u);
}

TEST(PrefetchMarkov, CountsHalveAtTheCeiling) {
  MarkovPrefetch p = chain_only(0, 4);
  for (int i = 0; i < 3000; ++i) {
    fault(p, A);
    fault(p, B);
    p.on_period_end(Pages{A, B});
  }
  const auto next = p.successors(A);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_LE(next[0].count, MarkovPrefetch::kCountCeiling);
  EXPECT_GE(next[0].count, MarkovPrefetch::kCountCeiling / 2);
}

TEST(PrefetchMarkov, TableIsBoundedAndForgetsTheOldestFirst) {
  const VmShape vm{100000, Bytes::of(kPage)};
  MarkovPrefetch tiny(Bytes{}, 4, vm, false);
  EXPECT_EQ(tiny.max_nodes(), MarkovPrefetch::kMinNodes);
  MarkovPrefetch big(Bytes::of(1000 * kPage), 4, vm, false);
  EXPECT_EQ(big.max_nodes(), 4000u);
  for (PageId page = 0; page < 3000; ++page) {
    fault(tiny, page);
    ASSERT_LE(tiny.table_size(), tiny.max_nodes());
  }
  EXPECT_TRUE(tiny.successors(0).empty());
  const auto last = tiny.successors(2998);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].page, 2999u);
}

TEST(PrefetchMarkov, CloneHasTheSameStateAndLearnsIndependently) {
  MarkovPrefetch p = chain_only(3, 4);
  learn_burst(p);
  auto copy = p.clone();
  EXPECT_EQ(fault(*copy, A), (Pages{B, C, D}));
  EXPECT_TRUE(fault(*copy, X).empty());  // the copy learns A -> X
  copy->on_period_end(Pages{A, B, C, D, X});
  EXPECT_EQ(fault(*copy, A), (Pages{B, X, C}));  // 1/2 each: B < X by id; then C (1/2, one step on)
  // The original learned nothing from the copy's period.
  EXPECT_EQ(p.successors(A).size(), 1u);
  EXPECT_EQ(fault(p, A), (Pages{B, C, D}));
}

TEST(PrefetchMarkov, CloneMidPeriodRemembersWhatWasSent) {
  MarkovPrefetch p = chain_only(3, 4);
  learn_burst(p);
  EXPECT_EQ(fault(p, A), (Pages{B, C, D}));
  auto copy = p.clone();
  copy->on_period_end(Pages{A, B, C, D});
  EXPECT_EQ(fault(*copy, A), (Pages{B, C, D}));  // a new period: all of it again
  EXPECT_TRUE(fault(p, B).empty());              // same period: C and D are already there
}

TEST(PrefetchMarkov, RegistryVersionSendsWhatHistoryWouldAtMigration) {
  PrefetchParams params;
  params.budget = Bytes::of(3 * kPage);
  auto markov = prefetchers().find("markov")->make(params, kVm);
  HistoryPrefetch history(params.budget, kVm);
  const std::vector<Pages> periods{{A, B, C, D}, {A, X, D}, {X, 7, 8}};
  for (const Pages& touched : periods) {
    EXPECT_EQ(migrate(*markov), migrate(history));
    markov->on_period_end(touched);
    history.on_period_end(touched);
  }
  EXPECT_EQ(migrate(*markov), (Pages{X, D, A}));
  EXPECT_EQ(migrate(history), (Pages{X, D, A}));
}

}  // namespace
}  // namespace jettison::policy
