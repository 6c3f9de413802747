// Parallel within one run: one strategy's desktops dealt into shards that never interact, each
// simulated by its own engine, and merged into exactly the outputs of a single engine.
//
// How to use it (threads: run_sharded below does all of it; other processes, e.g. MPI ranks):
//   1. ShardPlan plan = plan_shards(scenario, wanted);   // sim/run/shard_plan.hpp
//      plan.shardable false: run as one engine (StrategyRun::run) and print plan.serial_reason.
//      A shardable plan is used even with one shard, so 1 and N shards give the same bytes.
//   2. For each shard k < plan.shards (anywhere: same scenario, same binary):
//        ShardResult part = run_shard(scenario, strategy, plan, k, sink);
//      `sink` (a RecordSink) receives the shard's ShardItems in the canonical order; items and
//      the ShardResult are plain data, encode()/decode() (sim/run/shard_item.hpp) turn them into
//      bytes for sending. A shard's items can be consumed while it runs (keep queues bounded).
//   3. In one place: ShardMerger merger(scenario, strategy, periods_file, timeline_file);
//      merge_items(sources, merger);   // sim/run/item_merge.hpp: one ItemSource per shard
//      StrategyResult r = merger.finish(parts);   // parts: every shard's ShardResult, any order
//      The merger alone writes periods/timeline rows and adds up totals; `r` goes into
//      RunReport::results like a single engine's (summary.json, desktops/servers/links.csv).
#pragma once

#include <string>

#include "sim/output/output_file.hpp"
#include "sim/run/item_merge.hpp"
#include "sim/run/shard_item.hpp"
#include "sim/run/shard_merger.hpp"
#include "sim/run/shard_plan.hpp"
#include "sim/run/strategy_run.hpp"

namespace jettison::sim {

// One shard of `strategy` (plan.shardable, shard < plan.shards): its items go to `sink` in order.
ShardResult run_shard(const Scenario& s, const std::string& strategy, const ShardPlan& plan, unsigned shard,
                      RecordSink& sink, Progress progress = {});

// All shards of `strategy` in plan.shards threads, merged on the calling thread into `periods` and
// `timeline` (either may be null). The first exception of any shard is rethrown once all stopped.
StrategyResult run_sharded(const Scenario& s, const std::string& strategy, const ShardPlan& plan,
                           OutputFile* periods, OutputFile* timeline, Progress progress = {});

}  // namespace jettison::sim
