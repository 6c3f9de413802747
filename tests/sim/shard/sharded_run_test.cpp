// A shardable run (dedicated links, per-VM server power, room for every VM) gives the same bytes in
// every output file whatever the number of shards, more shards than cores included: periods.csv,
// timeline.csv, desktops.csv, servers.csv, links.csv, scenario.yaml, and summary.json apart from
// wall_seconds (events included). Run on random scenarios and on one where every window closes at the
// same instant, which only the canonical order (records of one instant by desktop index) keeps
// identical. And against one engine (StrategyRun::run, the path of runs before shards): the same
// rows, server and link figures.
#include "sim/run/sharded_run.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sim/run/run_scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/model/model_support.hpp"
#include "tests/sim/model/random_scenario.hpp"
#include "tests/support/csv_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::sim {
namespace {

namespace fs = std::filesystem;
using testing::slurp;
using testing::TempDir;

// Every file of an output folder by name; summary.json without its wall time.
std::map<std::string, std::string> outputs(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string text = slurp(e.path());
    if (e.path().filename() == "summary.json") {
      nlohmann::ordered_json j = nlohmann::ordered_json::parse(text);
      EXPECT_TRUE(j.contains("wall_seconds"));
      j.erase("wall_seconds");
      text = j.dump(2);
    }
    files.emplace(e.path().filename().string(), std::move(text));
  }
  return files;
}

RunReport run_with(const Scenario& s, unsigned threads, const fs::path& out) {
  RunOptions o;
  o.out = out;
  o.threads = threads;
  return run_scenario(s, o);
}

void expect_same_outputs_with_any_shards(const Scenario& s, const TempDir& dir) {
  const RunReport one = run_with(s, 1, dir.path() / "out-1");
  ASSERT_TRUE(one.plan.shardable) << one.plan.serial_reason;
  ASSERT_EQ(one.plan.shards, 1U);
  const auto reference = outputs(dir.path() / "out-1");
  ASSERT_GE(reference.size(), 7U);
  ASSERT_GT(reference.at("periods.csv").size(), 500U);
  for (const unsigned threads : {2U, 3U, 7U}) {
    std::string folder = "out-";
    folder += std::to_string(threads);
    const fs::path out = dir.path() / folder;
    const RunReport many = run_with(s, threads, out);
    EXPECT_EQ(many.plan.shards, std::min<unsigned>(threads, static_cast<unsigned>(s.desktops.size())));
    EXPECT_EQ(many.events, one.events);
    const auto files = outputs(out);
    ASSERT_EQ(files.size(), reference.size());
    for (const auto& [name, text] : reference) {
      // EXPECT_TRUE on the comparison: a failure names the file instead of printing megabytes.
      EXPECT_TRUE(files.at(name) == text) << name << " differs with " << threads << " threads";
    }
  }
}

TEST(ShardedRun, RandomScenariosGiveTheSameBytesWithAnyNumberOfShards) {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE(seed);
    TempDir dir;
    testing::model::RandomScenario random(seed);
    const Scenario s = load_scenario(random.write(dir));
    expect_same_outputs_with_any_shards(s, dir);
  }
}

// Six desktops d0..d5 (indices in the order they first appear) whose second windows open in the
// reverse order (d5 first) and all close at 3600 s under always-on (the user returns then): one
// engine would close them in the order they opened, d5..d0; the canonical order is d0..d5, with 1
// shard or 3.
TEST(ShardedRun, RecordsClosingAtOneInstantAreInDesktopOrder) {
  TempDir dir;
  // Appended piece by piece: g++ 12 warns (-Wrestrict, a false positive) on chains of operator+.
  std::string idle = "desktop,start,end\n";
  const auto row = [&idle](int d, int start, int end) {
    idle += 'd';
    idle += std::to_string(d);
    idle += ',';
    idle += std::to_string(start);
    idle += ',';
    idle += std::to_string(end);
    idle += '\n';
  };
  for (int d = 0; d < 6; ++d) row(d, d, 100);
  for (int d = 5; d >= 0; --d) row(d, 205 - d, 3600);
  for (int d = 0; d < 6; ++d) row(d, 4000, 9000);
  const Scenario s = testing::model::load_hand_scenario(dir, idle, "time,page,op\n1,1,r\n2,7,w\n");
  ASSERT_EQ(s.desktops.size(), 6U);
  ASSERT_EQ(s.desktops[0].id, "d0");
  // The tie is real: one engine's event order closes them d5..d0.
  std::vector<std::string> engine_order;
  for (const auto& [desktop, r] : testing::model::run_strategy(s, "always-on").records)
    if (r.period == 1) engine_order.push_back(desktop);
  EXPECT_EQ(engine_order, (std::vector<std::string>{"d5", "d4", "d3", "d2", "d1", "d0"}));
  expect_same_outputs_with_any_shards(s, dir);
  for (const char* out : {"out-1", "out-3"}) {
    std::vector<std::string> closing;
    for (const auto& r : testing::read_csv(dir.path() / out / "periods.csv"))
      if (r.at("strategy") == "always-on" && r.at("period") == "1") closing.push_back(r.at("desktop"));
    EXPECT_EQ(closing, (std::vector<std::string>{"d0", "d1", "d2", "d3", "d4", "d5"})) << out;
  }
}

// Against one engine (the simulator as it was before shards, StrategyRun::run): the same periods
// rows in some order, the same server and link figures, field by field. Peaks could differ only when
// a VM leaves and another arrives within one µs on a server, which these scenarios do not have.
TEST(ShardedRun, MatchesOneEngineUpToTheOrderOfRows) {
  for (std::uint64_t seed = 21; seed <= 28; ++seed) {
    SCOPED_TRACE(seed);
    TempDir dir;
    testing::model::RandomScenario random(seed);
    const Scenario s = load_scenario(random.write(dir));
    const ShardPlan plan = plan_shards(s, 3);
    ASSERT_TRUE(plan.shardable);
    for (const std::string& strategy : s.strategies) {
      SCOPED_TRACE(strategy);
      std::optional<StrategyResult> one_run, sharded_run;
      {
        OutputFile rows(dir.path() / "one.csv");
        StrategyRun run(s, strategy, &rows);
        one_run = run.run();
        rows.close();
      }
      {
        OutputFile rows(dir.path() / "sharded.csv");
        sharded_run = run_sharded(s, strategy, plan, &rows, nullptr);
        rows.close();
      }
      const StrategyResult& one = *one_run;
      const StrategyResult& sharded = *sharded_run;
      const auto sorted_lines = [](const fs::path& p) {
        std::vector<std::string> lines;
        std::istringstream in(slurp(p));
        for (std::string line; std::getline(in, line);) lines.push_back(line);
        std::sort(lines.begin(), lines.end());
        return lines;
      };
      const auto one_rows = sorted_lines(dir.path() / "one.csv");
      ASSERT_FALSE(one_rows.empty());
      EXPECT_TRUE(one_rows == sorted_lines(dir.path() / "sharded.csv"));
      EXPECT_EQ(sharded.totals.all.periods, one.totals.all.periods);
      EXPECT_EQ(sharded.totals.skipped_periods, one.totals.skipped_periods);
      EXPECT_EQ(sharded.flows, one.flows);
      EXPECT_EQ(sharded.peak_concurrent_flows, one.peak_concurrent_flows);
      EXPECT_EQ(sharded.server_peak, one.server_peak);
      EXPECT_EQ(sharded.server_refusals, one.server_refusals);
      ASSERT_EQ(sharded.servers.size(), one.servers.size());
      for (std::size_t i = 0; i < one.servers.size(); ++i) {
        const ServerFigures& a = sharded.servers[i];
        const ServerFigures& b = one.servers[i];
        EXPECT_EQ(a.id, b.id);
        EXPECT_EQ(a.peak_memory, b.peak_memory);
        EXPECT_EQ(a.mean_memory_bytes, b.mean_memory_bytes);
        EXPECT_EQ(a.peak_vms, b.peak_vms);
        EXPECT_EQ(a.mean_vms, b.mean_vms);
        EXPECT_EQ(a.busy, b.busy);
        EXPECT_EQ(a.vm_seconds, b.vm_seconds);
        EXPECT_EQ(a.energy.joules(), b.energy.joules());
        EXPECT_EQ(a.attributed.joules(), b.attributed.joules());
        EXPECT_EQ(a.admitted, b.admitted);
        EXPECT_EQ(a.overcommitted, b.overcommitted);
      }
      ASSERT_EQ(sharded.links.size(), one.links.size());
      for (std::size_t i = 0; i < one.links.size(); ++i) {
        EXPECT_EQ(sharded.links[i].resource, one.links[i].resource);  // the same link and direction
        EXPECT_EQ(sharded.links[i].capacity, one.links[i].capacity);
        EXPECT_EQ(sharded.links[i].peak_utilisation, one.links[i].peak_utilisation);
        EXPECT_EQ(sharded.links[i].mean_utilisation, one.links[i].mean_utilisation);
        EXPECT_EQ(sharded.links[i].carried, one.links[i].carried);
      }
    }
  }
}

}  // namespace
}  // namespace jettison::sim
