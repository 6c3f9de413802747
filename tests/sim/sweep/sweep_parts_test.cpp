// The sweep's small parts: CSV quoting, the parallel loop's error rule, and grid errors when
// points' scenarios are checked (against the embedded default scenario).
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "common/input_error.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/sweep/parallel_for.hpp"
#include "sim/sweep/sweep_csv.hpp"
#include "sim/sweep/sweep_input.hpp"

namespace jettison::sim {
namespace {

TEST(SweepCsv, QuotesFieldsThatNeedIt) {
  EXPECT_EQ(csv_field("10s"), "10s");
  EXPECT_EQ(csv_field("[full,partial]"), "\"[full,partial]\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
}

TEST(ParallelFor, RunsEveryIndexOnce) {
  std::vector<std::atomic<int>> hits(500);
  parallel_for(hits.size(), 4, [&](std::size_t i) { ++hits[i]; });
  for (const auto& h : hits) EXPECT_EQ(h.load(), 1);
}

TEST(ParallelFor, RethrowsTheLowestFailingIndex) {
  for (int round = 0; round < 20; ++round) {
    try {
      parallel_for(200, 4, [](std::size_t i) {
        if (i % 37 == 36) throw std::runtime_error(std::to_string(i));
      });
      FAIL() << "no error";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "36");
    }
  }
}

TEST(ParallelFor, ThreadCount) {
  EXPECT_EQ(thread_count(8, 3), 3U);
  EXPECT_EQ(thread_count(2, 100), 2U);
  EXPECT_GE(thread_count(0, 100), 1U);
  EXPECT_EQ(thread_count(4, 0), 1U);
}

std::string check_error(const std::vector<std::string>& grid, const std::vector<std::string>& sets = {}) {
  try {
    const SweepInput in{kDefaultScenario, sets, parse_grid(grid, sets)};
    check_sweep(in, 2);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(SweepCheck, GoodGridPasses) {
  EXPECT_EQ(check_error({"policy.sleep.timeout=10s,1min", "strategies=[partial],[full,sleep-only]"}), "");
}

TEST(SweepCheck, BadGridKeyOrValueNamesTheGridFlag) {
  EXPECT_EQ(check_error({"policy.sleep.timeot=10s,20s"})
                .rfind("--grid policy.sleep.timeot: unknown key 'timeot'", 0),
            0U);
  EXPECT_EQ(check_error({"desktops.count=2", "policy.sleep.timeout=10s,abc"})
                .rfind("--grid policy.sleep.timeout: 'abc' is not a duration", 0),
            0U);
  EXPECT_EQ(check_error({"strategies=[full],[full,bogus]"})
                .rfind("--grid strategies[1]: unknown strategy 'bogus'", 0),
            0U);
  EXPECT_EQ(check_error({"seed=1,@x"}).rfind("--grid seed=@x: value is not valid YAML", 0), 0U);
}

TEST(SweepCheck, TheFirstBadPointIsReported) {
  EXPECT_EQ(check_error({"policy.sleep.timeout=1s,2s,bad1,3s,bad2"})
                .rfind("--grid policy.sleep.timeout: 'bad1'", 0),
            0U);
}

TEST(SweepCheck, BadSetStaysASetError) {
  EXPECT_EQ(check_error({"seed=1,2"}, {"policy.sleep.timeot=1s"})
                .rfind("--set policy.sleep.timeot: unknown key", 0),
            0U);
}

TEST(SweepCheck, AnErrorNotOfOneGridKeyNamesThePoint) {
  // desktops.list next to the default's desktops.count: the file's key is at fault, with the point.
  const std::string e = check_error({"desktops.list=[{id: d00}]"});
  EXPECT_EQ(e.rfind("--grid point 0 (desktops.list=[{id: d00}]): ", 0), 0U) << e;
}

}  // namespace
}  // namespace jettison::sim
