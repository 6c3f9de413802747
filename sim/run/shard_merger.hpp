// The one place a run's records come together: it takes the items of every shard in the canonical
// order (sim/run/shard_item.hpp), adds up the totals in that order, writes periods.csv and
// timeline.csv rows, and keeps the servers' and the network's books of a sharded run. A run with
// one engine goes through it too, so one engine and many shards sum and write in the same order.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/metrics/strategy_result.hpp"
#include "sim/metrics/strategy_totals.hpp"
#include "sim/output/output_file.hpp"
#include "sim/run/server_ledger.hpp"
#include "sim/run/shard_item.hpp"
#include "sim/scenario/scenario.hpp"

namespace jettison::sim {

// What a run with one engine knows first-hand and a sharded run rebuilds from the changes.
struct EngineFigures {
  std::vector<ServerFigures> servers;
  Bytes server_peak;
  std::size_t peak_concurrent_flows = 0;
};

class ShardMerger final : public RecordSink {
 public:
  using RecordHook = std::function<void(const std::string& desktop, const PeriodRecord&)>;

  // `periods`, `timeline`: where rows go; either may be null. `canonical`: items come in the
  // canonical order (shards; checked in debug builds), not one engine's event order.
  ShardMerger(const Scenario& s, std::string strategy, OutputFile* periods, OutputFile* timeline,
              bool canonical = true);
  void on_record(RecordHook hook) { hook_ = std::move(hook); }

  // Items in the canonical order, or one engine's records in event order.
  void put(ShardItem&& item) override;

  // Once every item is in: the strategy's result from the shards' figures. `engine`: a run with one
  // engine hands its own server and flow figures; null (sharded), they come from the changes.
  StrategyResult finish(const std::vector<ShardResult>& parts, const EngineFigures* engine = nullptr);

 private:
  const Scenario& s_;
  std::string strategy_;
  OutputFile* periods_;
  OutputFile* timeline_;
  RecordHook hook_;
  StrategyTotals totals_;
  std::optional<ServerLedger> ledger_;  // per-vm servers only
  std::int64_t flows_ = 0;              // in flight, over all shards
  std::int64_t peak_flows_ = 0;
  Time flows_at_;  // the instant `flows_` is at
  bool canonical_;
  std::optional<ShardItem> last_;  // key of the previous item, for the order check (debug builds)
};

}  // namespace jettison::sim
