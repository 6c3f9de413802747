// jettison-sim sweep under `mpirun -np 2`: a sweep spread over two ranks writes the same files as a
// one-process sweep, byte for byte but for wall times; a rank that fails or dies ends the job with a
// message naming it and nothing written: no output folder, no staging folder beside it, no scratch
// folder left by a live rank.
#include "tests/sim/mpi/mpi_fixture.hpp"

namespace jettison::testing {
namespace {

// A 2x2 grid on the embedded default scenario with 3 desktops: four quick points.
const char* kGrid =
    "--set desktops.count=3 --grid policy.sleep.timeout=10s,2min "
    "--grid 'strategies=[sleep-only,partial],[always-on,full,partial]' --threads 1";

TEST_F(MpiRun, SweepOverTwoRanksWritesTheOneProcessBytes) {
  const CliResult one = sim(std::string("sweep ") + kGrid + " --out one");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const CliResult two = mpirun(2, std::string("sweep ") + kGrid + " --out two");
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_NE(two.out.find("sweep: 4 points, 10 rows"), std::string::npos) << two.out;
  EXPECT_NE(two.out.find("2 MPI ranks"), std::string::npos) << two.out;

  // 4 points x (summary.json, periods.csv, desktops.csv, ...) + sweep.csv + sweep.json.
  ASSERT_NO_FATAL_FAILURE(expect_same_files("one", "two", 4U * 5U + 2U));
  EXPECT_NE(slurp(dir_.path() / "two" / "sweep.json").find("\"ranks\": 2"), std::string::npos);
  EXPECT_EQ(leftovers({"one", "two"}), std::vector<std::string>{});
}

TEST_F(MpiRun, ReplicatedSweepOverTwoRanksWritesTheOneProcessBytes) {
  // 2 values x 3 replicates over a generated office (each seed another trace): six points.
  const std::string args =
      "sweep --set 'idle_trace={generate: office, desktops: 3, days: 2}' --set desktops.count=3 "
      "--grid policy.sleep.timeout=10s,2min --grid strategies=[partial] --replicates 3 --threads 1";
  const CliResult one = sim(args + " --out one");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const CliResult two = mpirun(2, args + " --out two");
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_NE(two.out.find("sweep: 6 points, 6 rows"), std::string::npos) << two.out;
  ASSERT_NO_FATAL_FAILURE(expect_same_files("one", "two", 6U * 4U + 2U));
  EXPECT_NE(slurp(dir_.path() / "two" / "sweep.csv").find("\n5,2min,[partial],2,44,partial,"),
            std::string::npos);
}

TEST_F(MpiRun, FailingRankEndsTheSweepNamingItWithNothingWritten) {
  expect_failing_rank_named_and_nothing_written(std::string("sweep ") + kGrid);
}

TEST_F(MpiRun, KilledRankEndsTheSweepWithNoOutputAndItsScratchGoesNextTime) {
  // mpirun names the rank that died; rank 0, ended by the launcher, removes its staging folder.
  expect_killed_rank_ends_the_job(std::string("sweep ") + kGrid);
  // Only the killed rank's scratch folder is left, and the next sweep removes it.
  const auto left = leftovers({});
  ASSERT_EQ(left.size(), 1U);
  EXPECT_EQ(left[0].rfind("tmp/jettison-rank1-", 0), 0U) << left[0];
  const CliResult again = mpirun(2, std::string("sweep ") + kGrid + " --out out");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(leftovers({"out"}), std::vector<std::string>{});
}

TEST_F(MpiRun, BadInputStopsEveryRankBeforeAnythingRuns) {
  const CliResult r = mpirun(2, std::string("sweep ") + kGrid + " --set no_such_key=1 --out out");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  // Reported once, by rank 0.
  const std::string message = "--set no_such_key: unknown key";
  const auto first = r.err.find(message);
  ASSERT_NE(first, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(message, first + 1), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "out"));
  EXPECT_EQ(leftovers({}), std::vector<std::string>{});
}

}  // namespace
}  // namespace jettison::testing
