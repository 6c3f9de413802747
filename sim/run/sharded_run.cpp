#include "sim/run/sharded_run.hpp"

#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "sim/run/item_queue.hpp"

namespace jettison::sim {

ShardResult run_shard(const Scenario& s, const std::string& strategy, const ShardPlan& plan, unsigned shard,
                      RecordSink& sink, Progress progress) {
  StrategyRun run(s, strategy, plan, shard, sink, std::move(progress));
  return run.run_shard();
}

StrategyResult run_sharded(const Scenario& s, const std::string& strategy, const ShardPlan& plan,
                           OutputFile* periods, OutputFile* timeline, Progress progress) {
  const unsigned n = plan.shards;
  if (n == 1) {  // one shard: no thread, no queue; its items are in order already
    ShardMerger merger(s, strategy, periods, timeline);
    const ShardResult part = run_shard(s, strategy, plan, 0, merger, std::move(progress));
    return merger.finish({part});
  }
  std::vector<std::unique_ptr<ItemQueue>> queues;
  std::vector<ItemSource*> sources;
  for (unsigned k = 0; k < n; ++k) {
    queues.push_back(std::make_unique<ItemQueue>());
    sources.push_back(queues.back().get());
  }
  std::vector<ShardResult> parts(n);
  std::vector<std::exception_ptr> errors(n);
  // Progress: the mean of the shards' fractions.
  std::mutex progress_mu;
  std::vector<double> done(n, 0.0);
  auto abandon_all = [&] {
    for (auto& q : queues) q->abandon();
  };

  std::vector<std::thread> threads;
  for (unsigned k = 0; k < n; ++k) {
    threads.emplace_back([&, k] {
      try {
        Progress report;
        if (progress) {
          report = [&, k](double f) {
            std::lock_guard lock(progress_mu);
            done[k] = f;
            double sum = 0;
            for (double d : done) sum += d;
            progress(sum / static_cast<double>(n));
          };
        }
        parts[k] = run_shard(s, strategy, plan, k, *queues[k], report);
        queues[k]->close();
      } catch (const RunAbandoned&) {
        // another shard failed first: its error is the one reported
      } catch (...) {
        errors[k] = std::current_exception();
        abandon_all();
      }
    });
  }
  ShardMerger merger(s, strategy, periods, timeline);
  std::exception_ptr merge_error;
  try {
    merge_items(sources, merger);
  } catch (...) {
    merge_error = std::current_exception();
    abandon_all();
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  if (merge_error) std::rethrow_exception(merge_error);
  return merger.finish(parts);
}

}  // namespace jettison::sim
