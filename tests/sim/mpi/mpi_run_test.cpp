// jettison-sim run under `mpirun -np 2`: a run whose desktops do not interact (dedicated links,
// per-VM server draw) is dealt over the two ranks and writes the same files as one process, byte
// for byte but for summary.json's wall_seconds; one whose desktops interact (the default: a shared
// uplink, a shared server draw) runs on rank 0 alone, says why, and writes the same files too. A rank
// that fails or dies ends the job naming it, with no output and no staging folder left.
#include "tests/sim/mpi/mpi_fixture.hpp"

namespace jettison::testing {
namespace {

// The default scenario made shardable, on 10 desktops of the sample trace.
const char* kShardable =
    "--set 'network={topology: dedicated}' --set 'server.power={model: per-vm, per_vm: 5W}' "
    "--set desktops.count=10 --threads 1 -q";

TEST_F(MpiRun, ShardedRunOverTwoRanksWritesTheOneProcessBytes) {
  const CliResult one = sim(std::string("run ") + kShardable + " --out one");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const CliResult two = mpirun(2, std::string("run ") + kShardable + " --out two");
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_EQ(two.err.find("not sharded"), std::string::npos) << two.err;
  // summary.json, periods.csv, desktops.csv, timeline.csv, links, servers, scenario
  ASSERT_NO_FATAL_FAILURE(expect_same_files("one", "two", 7));
  ASSERT_GT(tree(dir_.path() / "one").at("periods.csv").size(), 10000U);
  EXPECT_EQ(leftovers({"one", "two"}), std::vector<std::string>{});
}

TEST_F(MpiRun, RunWhoseDesktopsInteractRunsOnRankZeroAloneAndSaysWhy) {
  const std::string args = "run --set desktops.count=5 --threads 1 -q";
  const CliResult one = sim(args + " --out one");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const CliResult two = mpirun(2, args + " --out two");
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_NE(two.err.find("not sharded over 2 MPI ranks: "), std::string::npos) << two.err;
  EXPECT_NE(two.err.find("rank 0 runs the whole scenario"), std::string::npos) << two.err;
  const auto a = tree(dir_.path() / "one");
  const auto b = tree(dir_.path() / "two");
  ASSERT_GE(a.size(), 7U);
  EXPECT_TRUE(a == b);
}

TEST_F(MpiRun, FailingRankEndsTheRunNamingItWithNothingWritten) {
  expect_failing_rank_named_and_nothing_written(std::string("run ") + kShardable);
}

TEST_F(MpiRun, KilledRankEndsTheRunWithNoOutput) {
  expect_killed_rank_ends_the_job(std::string("run ") + kShardable);
  EXPECT_EQ(leftovers({}), std::vector<std::string>{});
}

}  // namespace
}  // namespace jettison::testing
