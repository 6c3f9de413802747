// jettison-sim sweep as a user runs it: a 2x2 grid on the embedded default (3 desktops) gives
// sweep.csv rows equal to each point's summary.json, bad grids exit 2 before anything is written,
// and the same inputs give a byte-identical sweep.csv.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cli_run.hpp"
#include "tests/support/csv_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::testing {
namespace {

namespace fs = std::filesystem;

class SweepCli : public ::testing::Test {
 protected:
  // Runs jettison-sim with `args` (shell-quoted where needed) in the temp folder.
  CliResult sim(const std::string& args) {
    return shell(std::string("'") + JETTISON_SIM_BINARY + "' " + args);
  }
  // Runs a shell command in the temp folder.
  CliResult shell(const std::string& command) { return run_in(dir_.path(), command); }
  static bool has_hidden(const fs::path& dir) {
    if (!fs::exists(dir)) return false;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().filename().string()[0] == '.') return true;
    }
    return false;
  }

  TempDir dir_;
};

const char* kGrid =
    "--set desktops.count=3 --grid policy.sleep.timeout=10s,2min "
    "--grid 'strategies=[sleep-only,partial],[always-on,full,partial]'";

TEST_F(SweepCli, TwoByTwoGridMatchesEachPointsSummary) {
  const CliResult r = sim(std::string("sweep ") + kGrid + " --out out --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("sweep: 4 points, 10 rows"), std::string::npos) << r.out;
  const fs::path out = dir_.path() / "out";
  EXPECT_FALSE(has_hidden(out));

  const auto sweep = nlohmann::json::parse(slurp(out / "sweep.json"));
  ASSERT_EQ(sweep["points"].size(), 4U);
  EXPECT_EQ(sweep["grid"][1]["key"], "strategies");
  EXPECT_EQ(sweep["grid"][1]["values"][0], "[sleep-only,partial]");

  const auto header = csv_fields(slurp(out / "sweep.csv").substr(0, slurp(out / "sweep.csv").find('\n')));
  ASSERT_GE(header.size(), 5U);
  EXPECT_EQ(header[0], "point");
  EXPECT_EQ(header[1], "policy.sleep.timeout");
  EXPECT_EQ(header[2], "strategies");
  EXPECT_EQ(header[3], "strategy");

  const auto rows = read_csv(out / "sweep.csv");
  ASSERT_EQ(rows.size(), 2U + 3U + 2U + 3U);  // 4 points x their strategies
  const std::vector<std::pair<std::string, std::string>> point_values = {
      {"10s", "[sleep-only,partial]"},
      {"10s", "[always-on,full,partial]"},
      {"2min", "[sleep-only,partial]"},
      {"2min", "[always-on,full,partial]"}};
  std::size_t row = 0;
  for (std::size_t p = 0; p < 4; ++p) {
    const auto& point = sweep["points"][p];
    EXPECT_EQ(point["values"]["policy.sleep.timeout"], point_values[p].first);
    EXPECT_EQ(point["values"]["strategies"], point_values[p].second);
    const std::string folder = point["folder"];
    EXPECT_EQ(folder.rfind("points/00" + std::to_string(p) + "-policy.sleep.timeout=", 0), 0U) << folder;
    ASSERT_TRUE(fs::exists(out / folder / "periods.csv")) << folder;
    ASSERT_TRUE(fs::exists(out / folder / "desktops.csv")) << folder;
    const auto summary = nlohmann::ordered_json::parse(slurp(out / folder / "summary.json"));
    EXPECT_EQ(summary["desktops"], 3);
    for (const auto& [name, s] : summary["strategies"].items()) {
      ASSERT_LT(row, rows.size());
      const auto& csv = rows[row++];
      EXPECT_EQ(csv.at("point"), std::to_string(p));
      EXPECT_EQ(csv.at("policy.sleep.timeout"), point_values[p].first);
      EXPECT_EQ(csv.at("strategies"), point_values[p].second);
      EXPECT_EQ(csv.at("strategy"), name);
      // `name` by an init-capture: clang before 16 cannot capture a structured binding.
      auto same = [&, &name = name](const std::string& column, const nlohmann::ordered_json& v) {
        EXPECT_EQ(std::stod(csv.at(column)), v.get<double>())
            << "point " << p << " " << name << " " << column;
      };
      for (const char* k :
           {"energy_kwh", "baseline_energy_kwh", "savings_pct", "savings_pct_periods_10min_plus",
            "network_bytes", "migrated_bytes", "fetched_pages", "reintegrated_bytes", "wakeups",
            "sleep_fraction", "server_peak_memory_bytes", "events"}) {
        same(k, s[k]);
      }
      same("migration_latency_p50_s", s["migration_latency_s"]["p50"]);
      same("migration_latency_p95_s", s["migration_latency_s"]["p95"]);
      same("reintegration_latency_p50_s", s["reintegration_latency_s"]["p50"]);
      same("reintegration_latency_p95_s", s["reintegration_latency_s"]["p95"]);
    }
  }
  // The timeout matters to partial migration: its figures differ between the two timeouts.
  EXPECT_NE(rows[1].at("energy_kwh"), rows[6].at("energy_kwh"));
}

TEST_F(SweepCli, SameInputsGiveIdenticalSweepCsv) {
  ASSERT_EQ(sim(std::string("sweep -q ") + kGrid + " --out a --threads 1").exit_code, 0);
  ASSERT_EQ(sim(std::string("sweep -q ") + kGrid + " --out b --threads 2").exit_code, 0);
  const std::string a = slurp(dir_.path() / "a" / "sweep.csv");
  EXPECT_GT(a.size(), 500U);
  EXPECT_EQ(a, slurp(dir_.path() / "b" / "sweep.csv"));
  for (const auto& entry : fs::directory_iterator(dir_.path() / "a" / "points")) {
    const fs::path other = dir_.path() / "b" / "points" / entry.path().filename();
    EXPECT_EQ(slurp(entry.path() / "periods.csv"), slurp(other / "periods.csv")) << entry.path();
  }
}

// The default scenario over a generated office of 4 desktops x 3 days, so that each seed draws
// another trace.
const char* kGenerated =
    "--set 'idle_trace={generate: office, desktops: 4, days: 3}' --set desktops.count=4 "
    "--grid strategies=[partial] --grid migration.migrate_after=5min,10min";

TEST_F(SweepCli, ReplicatesWriteOneRowPerReplicateWithDistinctSeeds) {
  const CliResult r = sim(std::string("sweep ") + kGenerated + " --replicates 3 --out out --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("sweep: 6 points, 6 rows"), std::string::npos) << r.out;
  const fs::path out = dir_.path() / "out";
  const std::string text = slurp(out / "sweep.csv");
  EXPECT_EQ(text.rfind("point,strategies,migration.migrate_after,replicate,seed,strategy,", 0), 0U) << text;
  const auto rows = read_csv(out / "sweep.csv");
  ASSERT_EQ(rows.size(), 6U);  // 2 values x 3 replicates x 1 strategy
  // The default's seed is 42: replicates 0, 1, 2 run with seeds 42, 43, 44, the replicate fastest.
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(rows[i].at("point"), std::to_string(i));
    EXPECT_EQ(rows[i].at("migration.migrate_after"), i < 3 ? "5min" : "10min");
    EXPECT_EQ(rows[i].at("replicate"), std::to_string(i % 3));
    EXPECT_EQ(rows[i].at("seed"), std::to_string(42 + i % 3));
  }
  // Each seed draws another office: the replicates of one point differ.
  EXPECT_NE(rows[0].at("baseline_energy_kwh"), rows[1].at("baseline_energy_kwh"));
  EXPECT_NE(rows[1].at("baseline_energy_kwh"), rows[2].at("baseline_energy_kwh"));

  const auto sweep = nlohmann::json::parse(slurp(out / "sweep.json"));
  EXPECT_EQ(sweep["replicates"], 3);
  ASSERT_EQ(sweep["points"].size(), 6U);
  EXPECT_EQ(sweep["points"][4]["replicate"], 1);
  EXPECT_EQ(sweep["points"][4]["seed"], 43);
  EXPECT_EQ(sweep["points"][4]["folder"],
            "points/004-strategies=partial,migration.migrate_after=10min,seed=43");
  const auto summary = nlohmann::json::parse(
      slurp(out / "points/004-strategies=partial,migration.migrate_after=10min,seed=43/summary.json"));
  EXPECT_EQ(summary["seed"], 43);

  // Deterministic: another thread count, the same bytes.
  ASSERT_EQ(sim(std::string("sweep -q ") + kGenerated + " --replicates 3 --out again --threads 1").exit_code,
            0);
  EXPECT_EQ(slurp(dir_.path() / "again" / "sweep.csv"), text);
  // --set seed=N moves the first seed: its replicate 0 is the run above with seed 43.
  ASSERT_EQ(
      sim(std::string("sweep -q ") + kGenerated + " --set seed=43 --replicates 2 --out moved").exit_code, 0);
  const auto moved = read_csv(dir_.path() / "moved" / "sweep.csv");
  ASSERT_EQ(moved.size(), 4U);
  EXPECT_EQ(moved[0].at("seed"), "43");
  EXPECT_EQ(moved[0].at("energy_kwh"), rows[1].at("energy_kwh"));
}

TEST_F(SweepCli, BadReplicatesExitTwoNamingTheFlag) {
  for (const std::string k : {"0", "=-1", "2.5", "abc", "1001"}) {
    const CliResult r = sim(std::string("sweep ") + kGenerated + " --replicates" +
                            (k[0] == '=' ? k : " " + k) + " --out out");
    EXPECT_EQ(r.exit_code, 2) << k;
    EXPECT_EQ(r.err.rfind("jettison-sim: error: --replicates: ", 0), 0U) << k << ": " << r.err;
    EXPECT_FALSE(fs::exists(dir_.path() / "out")) << k;
  }
  // The bundled traces with round-robin profiles: the seed draws nothing, replicates would be equal.
  const CliResult r = sim("sweep --grid strategies=[partial] --replicates 2 --out out");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("jettison-sim: error: --replicates: the seed draws nothing in embedded:", 0), 0U)
      << r.err;
  const CliResult seeds =
      sim(std::string("sweep ") + kGenerated + " --grid seed=1,2 --replicates 2 --out out");
  EXPECT_EQ(seeds.exit_code, 2);
  EXPECT_EQ(seeds.err.rfind("jettison-sim: error: --replicates: cannot go with --grid seed=", 0), 0U)
      << seeds.err;
}

TEST_F(SweepCli, BadGridKeyExitsTwoAndWritesNothing) {
  const CliResult r = sim("sweep --set desktops.count=3 --grid policy.sleep.timeot=10s,20s --out out");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("jettison-sim: error: --grid policy.sleep.timeot: unknown key 'timeot'", 0), 0U)
      << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "out"));
}

TEST_F(SweepCli, BadGridValueInALaterPointExitsTwoAndWritesNothing) {
  const CliResult r =
      sim("sweep --set desktops.count=3 --grid seed=1,2 --grid policy.sleep.timeout=10s,ten --out out");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("jettison-sim: error: --grid policy.sleep.timeout: 'ten' is not a duration", 0), 0U)
      << r.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "out" / "sweep.csv"));
}

TEST_F(SweepCli, MalformedGridsExitTwo) {
  for (const std::string grid : {"--grid seed", "--grid seed=", "--grid seed=1 --grid seed=2",
                                 "--grid 'seed=[1,2'", "--grid seed=1,,2"}) {
    const CliResult r = sim("sweep " + grid + " --out out");
    EXPECT_EQ(r.exit_code, 2) << grid;
    EXPECT_EQ(r.err.rfind("jettison-sim: error: --grid seed", 0), 0U) << grid << ": " << r.err;
    EXPECT_FALSE(fs::exists(dir_.path() / "out")) << grid;
  }
  EXPECT_EQ(sim("sweep --out out").exit_code, 2);  // --grid is required
}

TEST_F(SweepCli, ASecondSweepReplacesTheFirst) {
  ASSERT_EQ(sim("sweep -q --set desktops.count=2 --grid seed=1,2,3 --grid strategies=[sleep-only] --out out")
                .exit_code,
            0);
  ASSERT_EQ(
      sim("sweep -q --set desktops.count=2 --grid seed=5 --grid strategies=[sleep-only] --out out").exit_code,
      0);
  std::vector<std::string> folders;
  for (const auto& entry : fs::directory_iterator(dir_.path() / "out" / "points"))
    folders.push_back(entry.path().filename().string());
  EXPECT_EQ(folders, (std::vector<std::string>{"000-seed=5,strategies=sleep-only"}));
  EXPECT_FALSE(has_hidden(dir_.path() / "out"));
}

TEST_F(SweepCli, AFailingPointLeavesTheEarlierOutputs) {
  ASSERT_EQ(
      sim("sweep -q --set desktops.count=2 --grid seed=1 --grid strategies=[sleep-only] --out out").exit_code,
      0);
  const std::string before = slurp(dir_.path() / "out" / "sweep.csv");
  // Points pass the checks, then fail at run time: files may not grow past 8 KiB (and the signal
  // that would kill the process is ignored, so writes fail instead).
  const CliResult r = shell("(trap '' XFSZ; ulimit -f 8; exec '" JETTISON_SIM_BINARY
                            "' sweep -q --set desktops.count=2 "
                            "--grid seed=1,2 --out out)");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err.rfind("jettison-sim: error: point 0 (seed=1): ", 0), 0U) << r.err;
  EXPECT_EQ(slurp(dir_.path() / "out" / "sweep.csv"), before);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_.path() / "out" / "points"), fs::directory_iterator()),
            1);
  EXPECT_FALSE(has_hidden(dir_.path() / "out"));
}

}  // namespace
}  // namespace jettison::testing
