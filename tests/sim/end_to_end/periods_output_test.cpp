// `output.periods: csv | csv.zst | none` and `output.budget`, as a user sees them through
// jettison-sim: periods.csv.zst decompresses to the bytes of periods.csv (one zstd frame for the
// header and one per strategy) and is byte-identical from run to run; `none` writes no per-period
// file and leaves every other output as the csv run wrote it; a run over its budget is refused
// before anything is written; a bad value names file, line and key.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <zstd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/output/output_estimate.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/support/csv_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::testing {
namespace {

namespace fs = std::filesystem;

struct CliResult {
  int exit_code = -1;
  std::string err;
};

// Every frame of a (possibly multi-frame) zstd file, decompressed and concatenated; the frame count.
std::string unzstd(const std::string& data, int* frames) {
  std::string out;
  *frames = 0;
  for (std::size_t at = 0; at < data.size(); ++*frames) {
    const std::size_t frame = ZSTD_findFrameCompressedSize(data.data() + at, data.size() - at);
    if (ZSTD_isError(frame)) {
      ADD_FAILURE() << "bad zstd frame at byte " << at << ": " << ZSTD_getErrorName(frame);
      return out;
    }
    ZSTD_DCtx* d = ZSTD_createDCtx();
    ZSTD_inBuffer in{data.data() + at, frame, 0};
    std::vector<char> buf(1 << 16);
    while (in.pos < in.size) {
      ZSTD_outBuffer o{buf.data(), buf.size(), 0};
      const std::size_t r = ZSTD_decompressStream(d, &o, &in);
      if (ZSTD_isError(r)) {
        ADD_FAILURE() << ZSTD_getErrorName(r);
        break;
      }
      out.append(buf.data(), o.pos);
    }
    ZSTD_freeDCtx(d);
    at += frame;
  }
  return out;
}

std::string summary_without_wall(const fs::path& file) {
  auto j = nlohmann::json::parse(slurp(file));
  j.erase("wall_seconds");
  return j.dump(1);
}

class PeriodsOutput : public ::testing::Test {
 protected:
  CliResult sim(const std::string& args) {
    const fs::path err = logs_.path() / "stderr";
    const std::string cmd = "cd '" + dir_.path().string() + "' && '" + JETTISON_SIM_BINARY + "' " + args +
                            " >/dev/null 2>'" + err.string() + "'";
    const int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(err)};
  }
  // The default scenario on its first 3 desktops, all four strategies.
  CliResult run(const std::string& out, const std::string& more = "") {
    return sim("run -q --set desktops.count=3 " + more + " --out " + out);
  }
  fs::path path(const std::string& name) const { return dir_.path() / name; }
  // Entries of the run folder's parent whose names hold ".staging-".
  bool any_staging() const {
    for (const auto& e : fs::directory_iterator(dir_.path()))
      if (e.path().filename().string().find(".staging-") != std::string::npos) return true;
    return false;
  }

  TempDir dir_;
  TempDir logs_;
};

TEST_F(PeriodsOutput, CsvZstDecompressesToTheCsvRunsBytes) {
  ASSERT_EQ(run("csv").exit_code, 0) << slurp(logs_.path() / "stderr");
  ASSERT_EQ(run("zst", "--set output.periods=csv.zst").exit_code, 0) << slurp(logs_.path() / "stderr");
  const std::string csv = slurp(path("csv/periods.csv"));
  ASSERT_GT(csv.size(), 1000U);
  EXPECT_FALSE(fs::exists(path("zst/periods.csv")));
  const std::string zst = slurp(path("zst/periods.csv.zst"));
  EXPECT_LT(zst.size(), csv.size() / 3) << "zstd level 3 keeps well under a third of periods.csv";
  int frames = 0;
  EXPECT_EQ(unzstd(zst, &frames), csv);
  EXPECT_EQ(frames, 1 + 4);  // the header, then one per strategy (always-on, sleep-only, full, partial)
  // Everything else as the csv run wrote it.
  for (const char* f : {"desktops.csv", "timeline.csv", "links.csv", "servers.csv"})
    EXPECT_EQ(slurp(path("zst") / f), slurp(path("csv") / f)) << f;
  EXPECT_EQ(summary_without_wall(path("zst/summary.json")), summary_without_wall(path("csv/summary.json")));
  // Same scenario, seed and binary: the same compressed bytes.
  ASSERT_EQ(run("zst2", "--set output.periods=csv.zst").exit_code, 0);
  EXPECT_EQ(slurp(path("zst2/periods.csv.zst")), zst);
}

TEST_F(PeriodsOutput, NoneWritesNoPeriodsFileAndTheRestUnchanged) {
  ASSERT_EQ(run("csv").exit_code, 0) << slurp(logs_.path() / "stderr");
  ASSERT_EQ(run("none", "--set output.periods=none").exit_code, 0) << slurp(logs_.path() / "stderr");
  EXPECT_FALSE(fs::exists(path("none/periods.csv")));
  EXPECT_FALSE(fs::exists(path("none/periods.csv.zst")));
  for (const auto& e : fs::directory_iterator(path("none")))
    EXPECT_EQ(e.path().filename().string().find("periods"), std::string::npos) << e.path();
  for (const char* f : {"desktops.csv", "timeline.csv", "links.csv", "servers.csv", "scenario.yaml"}) {
    if (std::string(f) == "scenario.yaml") continue;  // holds the --set
    EXPECT_EQ(slurp(path("none") / f), slurp(path("csv") / f)) << f;
  }
  EXPECT_EQ(summary_without_wall(path("none/summary.json")), summary_without_wall(path("csv/summary.json")));
}

TEST_F(PeriodsOutput, OverBudgetIsRefusedBeforeAnythingIsWritten) {
  // 3 desktops x 4 strategies write ~190 KiB of periods.csv (no timeline here: the rest is ~1 KiB of
  // desktops.csv and small files): a 10 KiB budget is too small for it.
  const std::string no_timeline = "--set 'output.timeline=[]' ";
  const CliResult r = run("out", no_timeline + "--set output.budget=10KiB");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--set output.budget: this run would write about "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("more than the budget of 10.0 KiB"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("output.periods: csv.zst"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(path("out")));
  EXPECT_FALSE(any_staging());
  // The same budget holds what `none` writes (desktops.csv and the small files).
  const CliResult none = run("out", no_timeline + "--set output.budget=10KiB --set output.periods=none");
  EXPECT_EQ(none.exit_code, 0) << none.err;
  // And `none` as a budget lifts the limit.
  EXPECT_EQ(run("unlimited", "--set output.budget=none").exit_code, 0);
}

// The budget's estimate is close to what a run writes: periods.csv within 10% (rows of the default
// scenario: 196 bytes besides the names, as measured for kPeriodRowBytes), periods.csv.zst within 50%
// (its ratio depends on the values; kZstdRatio is an average over larger runs), desktops.csv within 25%.
TEST_F(PeriodsOutput, TheEstimateIsCloseToWhatARunWrites) {
  const std::vector<std::string> sets = {"desktops.count=5", "output.timeline=[]"};
  sim::Scenario s = sim::load_scenario(sim::kDefaultScenario, sets);
  const sim::OutputEstimate csv = sim::estimate_output(s);
  s.output.periods = sim::PeriodsOutput::kCsvZst;
  const sim::OutputEstimate zst = sim::estimate_output(s);
  ASSERT_EQ(run("csv", "--set desktops.count=5 --set 'output.timeline=[]'").exit_code, 0);
  ASSERT_EQ(
      run("zst", "--set desktops.count=5 --set 'output.timeline=[]' --set output.periods=csv.zst").exit_code,
      0);
  const auto near = [](double estimate, double actual, double tolerance) {
    return std::abs(estimate / actual - 1.0) <= tolerance;
  };
  const auto csv_bytes = static_cast<double>(fs::file_size(path("csv/periods.csv")));
  const auto zst_bytes = static_cast<double>(fs::file_size(path("zst/periods.csv.zst")));
  const auto desktops_bytes = static_cast<double>(fs::file_size(path("csv/desktops.csv")));
  EXPECT_TRUE(near(static_cast<double>(csv.periods_file.count()), csv_bytes, 0.10))
      << csv.periods_file.count() << " vs " << csv_bytes;
  EXPECT_EQ(csv.periods_csv, zst.periods_csv);
  EXPECT_TRUE(near(static_cast<double>(zst.periods_file.count()), zst_bytes, 0.50))
      << zst.periods_file.count() << " vs " << zst_bytes;
  EXPECT_TRUE(near(static_cast<double>(csv.other.count()), desktops_bytes, 0.25))
      << csv.other.count() << " vs " << desktops_bytes;
}

TEST_F(PeriodsOutput, ASweepChecksEveryPointsBudgetBeforeStarting) {
  const CliResult r =
      sim("sweep -q --set desktops.count=3 --set 'output.timeline=[]' --set output.budget=10KiB --grid "
          "output.periods=none,csv --out sweep");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  // Point 0 (none) fits; point 1 (csv) does not, and is named.
  EXPECT_NE(
      r.err.find("--grid point 1 (output.periods=csv): --set output.budget: this run would write about"),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("raise output.budget"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(path("sweep")));
  EXPECT_FALSE(any_staging());
}

TEST_F(PeriodsOutput, BudgetInAFileNamesItsLine) {
  const std::string scenario = dir_.write(
      "small-budget.yaml", std::string("extends: ") + JETTISON_SOURCE_DIR +
                               "/scenarios/default.yaml\ndesktops: {count: 3}\noutput:\n  budget: 1KiB\n");
  const CliResult r = sim("run -q " + scenario + " --out out");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("small-budget.yaml:4: output.budget: this run would write about"), std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(path("out")));
}

TEST_F(PeriodsOutput, AnUnknownFormatNamesFileLineKeyAndTheChoices) {
  const std::string scenario =
      dir_.write("parquet.yaml", std::string("extends: ") + JETTISON_SOURCE_DIR +
                                     "/scenarios/default.yaml\noutput:\n  periods: parquet\n");
  const CliResult r = sim("run -q " + scenario + " --out out");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("parquet.yaml:3: output.periods: 'parquet' is not one of: csv, csv.zst, none"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(path("out")));
  const CliResult set = run("out", "--set output.periods=gz");
  EXPECT_EQ(set.exit_code, 2);
  EXPECT_NE(set.err.find("--set output.periods: 'gz' is not one of: csv, csv.zst, none"), std::string::npos)
      << set.err;
}

}  // namespace
}  // namespace jettison::testing
