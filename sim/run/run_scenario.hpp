// Runs every strategy of a scenario and writes the outputs atomically: summary.json, periods.csv,
// desktops.csv... With `threads` > 1, a scenario whose desktops do not interact (sim/run/shard_plan.hpp)
// runs each strategy in that many shards (sim/run/sharded_run.hpp); any other runs its strategies in
// parallel, one engine each. The outputs are the same bytes whatever the number of threads.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sim/output/output_file.hpp"
#include "sim/run/shard_plan.hpp"
#include "sim/run/strategy_run.hpp"
#include "sim/scenario/scenario.hpp"

namespace jettison::sim {

// The contents of a run's output files, kept in memory (RunOptions::texts): the bytes run_scenario
// writes into those files, but plain text (periods never compressed) and `periods` empty for
// `output.periods: none`; summary.json's wall_seconds is this run's.
struct RunTexts {
  std::string periods;   // periods.csv
  std::string timeline;  // timeline.csv
  std::string desktops;  // desktops.csv
  std::string links;     // links.csv
  std::string servers;   // servers.csv
  std::string summary;   // summary.json
  std::string scenario;  // scenario.yaml
};

struct RunOptions {
  std::filesystem::path out;  // empty: write nothing (benchmarks)
  // With `out` empty: where the output files' contents go instead of the disk (the Python API).
  RunTexts* texts = nullptr;
  bool progress = false;  // show progress on stderr
  unsigned threads = 0;   // shards or strategies at once; 0: one per core
  // MPI (sim/mpi/distributed_run.hpp): shards wanted instead of `threads`, and what runs one
  // strategy of a shardable plan instead of run_sharded (its shards on other ranks).
  unsigned shards = 0;
  std::function<StrategyResult(const std::string& strategy, const ShardPlan& plan, OutputFile* periods,
                               OutputFile* timeline, Progress progress)>
      sharded_runner;
};

struct RunReport {
  std::vector<StrategyResult> results;  // in the scenario's order of strategies
  std::uint64_t events = 0;
  double wall_seconds = 0;
  std::filesystem::path out;
  ShardPlan plan;  // how the desktops were split, or why they were not
};

RunReport run_scenario(const Scenario& s, const RunOptions& options);

}  // namespace jettison::sim
