// The sweep's oracle columns as a user gets them: `jettison-sim sweep` over the sleep rule on the
// embedded default (3 desktops). The oracle columns of a partial row are `partial` on the same point's
// traces with the `oracle` sleep rule, so they are the same in every point, equal to the row's own
// figures on the oracle point, and never above the row's energy (the default desktop meets
// policy/SLEEP.md's conditions for the oracle to be a lower bound: suspending 90 W >= serving 60 W, a
// full resume from serving 2.27 - 0.7 = 1.57 s <= 2.27 s from sleep). Other strategies' rows leave
// them empty.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/csv_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::testing {
namespace {

namespace fs = std::filesystem;

TEST(SweepOracleColumns, PartialRowsCarryTheSameOracleBound) {
  TempDir dir;
  const std::string cmd =
      "cd '" + dir.path().string() + "' && '" + JETTISON_SIM_BINARY +
      "' sweep -q --set desktops.count=3 --grid policy.sleep.rule=timeout,break-even,oracle "
      "--out out >cli.stdout 2>cli.stderr";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << slurp(dir.path() / "cli.stderr");

  const auto rows = read_csv(dir.path() / "out" / "sweep.csv");
  ASSERT_EQ(rows.size(), 3u * 4u);  // 3 points x the default's 4 strategies
  const std::vector<std::string> rules = {"timeout", "break-even", "oracle"};
  std::map<std::string, const std::map<std::string, std::string>*> partial;  // rule -> its partial row
  for (const auto& row : rows) {
    const std::string& strategy = row.at("strategy");
    const std::string& rule = row.at("policy.sleep.rule");
    SCOPED_TRACE(rule + " " + strategy);
    if (strategy != "partial") {
      EXPECT_EQ(row.at("oracle_energy_kwh"), "");
      EXPECT_EQ(row.at("oracle_savings_pct"), "");
      EXPECT_EQ(row.at("oracle_wakeups"), "");
      continue;
    }
    partial[rule] = &row;
    ASSERT_FALSE(row.at("oracle_energy_kwh").empty());
    const double energy = std::stod(row.at("energy_kwh"));
    const double oracle = std::stod(row.at("oracle_energy_kwh"));
    EXPECT_GT(oracle, 0.0);
    EXPECT_LE(oracle, energy * (1.0 + 1e-9));
  }
  ASSERT_EQ(partial.size(), 3u);
  const auto& o = *partial.at("oracle");
  // On the oracle point the columns are the row's own figures, text for text.
  EXPECT_EQ(o.at("oracle_energy_kwh"), o.at("energy_kwh"));
  EXPECT_EQ(o.at("oracle_savings_pct"), o.at("savings_pct"));
  EXPECT_EQ(o.at("oracle_wakeups"), o.at("wakeups"));
  // The same traces in every point: the same oracle figures.
  for (const std::string& rule : rules) {
    SCOPED_TRACE(rule);
    const auto& row = *partial.at(rule);
    EXPECT_EQ(row.at("oracle_energy_kwh"), o.at("oracle_energy_kwh"));
    EXPECT_EQ(row.at("oracle_savings_pct"), o.at("oracle_savings_pct"));
    EXPECT_EQ(row.at("oracle_wakeups"), o.at("oracle_wakeups"));
    // The online rules are strictly above the bound here (they do sleep at other times).
    if (rule != "oracle") {
      EXPECT_LT(std::stod(o.at("energy_kwh")), std::stod(row.at("energy_kwh")));
    }
  }
  // The other strategies do not depend on the sleep rule: their rows are the same in every point.
  for (const char* strategy : {"always-on", "sleep-only", "full"}) {
    std::vector<std::string> energies;
    for (const auto& row : rows)
      if (row.at("strategy") == strategy) energies.push_back(row.at("energy_kwh"));
    ASSERT_EQ(energies.size(), 3u) << strategy;
    EXPECT_EQ(energies[0], energies[1]) << strategy;
    EXPECT_EQ(energies[0], energies[2]) << strategy;
  }
}

}  // namespace
}  // namespace jettison::testing
