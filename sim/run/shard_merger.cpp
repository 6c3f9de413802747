#include "sim/run/shard_merger.hpp"

#include <algorithm>
#include <cassert>

#include "sim/output/period_csv.hpp"

namespace jettison::sim {

ShardMerger::ShardMerger(const Scenario& s, std::string strategy, OutputFile* periods, OutputFile* timeline,
                         bool canonical)
    : s_(s),
      strategy_(std::move(strategy)),
      periods_(periods),
      timeline_(timeline),
      totals_(s.desktops.size()),
      canonical_(canonical) {
  if (s.servers.power.model == ServerPowerSpec::Model::kPerVm) ledger_.emplace(s.servers);
}

void ShardMerger::put(ShardItem&& item) {
#ifndef NDEBUG
  if (last_ && canonical_) assert(!comes_before(item, *last_) && "items arrive in the canonical order");
  if (!last_) last_.emplace();
  last_->kind = item.kind;
  last_->at = item.at;
  last_->record.desktop = item.record.desktop;
#endif
  if (item.kind == ShardItem::Kind::kChanges) {
    // Peaks of flows in flight count at the end of an instant: fold the previous instant's count.
    if (item.at > flows_at_) {
      peak_flows_ = std::max(peak_flows_, flows_);
      flows_at_ = item.at;
    }
    flows_ += item.flows;
    if (item.server.server != ShardItem::kNoServer) {
      assert(ledger_);
      ledger_->change(item.at, item.server);
    }
    return;
  }
  const PeriodRecord& r = item.record;
  totals_.add(r);
  const std::string& id = s_.desktops[r.desktop].id;
  if (periods_) write_period_row(*periods_, strategy_, id, r);
  if (timeline_ && !item.timeline.empty())
    write_timeline_rows(*timeline_, strategy_, id, r.period, item.timeline);
  if (hook_) hook_(id, r);
}

StrategyResult ShardMerger::finish(const std::vector<ShardResult>& parts, const EngineFigures* engine) {
  StrategyResult result{strategy_, std::move(totals_), 0, 0, Bytes{}, 0, {}, {}, 0, 0, 0};
  Time end;
  std::vector<const ShardResult::Link*> links;
  std::size_t link_count = 0;
  for (const ShardResult& p : parts) link_count += p.links.size();
  links.reserve(link_count);
  for (const ShardResult& p : parts) {
    result.events += p.events;
    result.inline_events += p.inline_events;
    result.flows += p.flows;
    result.rate_recomputations += p.rate_recomputations;
    result.totals.skipped_periods += p.skipped_periods;
    result.server_refusals += p.server_refusals;
    end = max(end, p.end);
    for (const ShardResult::Link& l : p.links) links.push_back(&l);
  }
  // A resource carries the flows of one shard only (or the run is not sharded): by id.
  std::stable_sort(links.begin(), links.end(),
                   [](const auto* a, const auto* b) { return a->resource < b->resource; });
  const net::Topology& topology = *s_.network.graph;
  result.links.reserve(links.size());  // exactly: a doubling vector leaves up to half its room unused
  for (const ShardResult::Link* l : links) {
    const Bandwidth capacity = topology.capacity(l->resource);
    const double carried_bits = l->bytes_carried * 8.0;  // exact: FlowNetwork divided bits by 8
    const double mean = end.us() > 0 ? carried_bits / (capacity.bits_per_second() * end.seconds_f()) : 0.0;
    result.links.push_back({l->resource, capacity, l->peak_utilisation, mean,
                            Bytes::of(static_cast<std::uint64_t>(l->bytes_carried))});
  }
  if (engine) {
    result.servers = engine->servers;
    result.server_peak = engine->server_peak;
    result.peak_concurrent_flows = engine->peak_concurrent_flows;
  } else {
    assert(ledger_ && "a sharded run has per-vm servers");
    peak_flows_ = std::max(peak_flows_, flows_);
    result.peak_concurrent_flows = static_cast<std::size_t>(peak_flows_);
    result.servers = ledger_->figures(end);
    result.server_peak = ledger_->peak_memory();
  }
  return result;
}

}  // namespace jettison::sim
