// One strategy over the whole scenario (or over one shard of its desktops): the engine, the
// desktops, the server, and the records. Strategies run independently on the same traces, each with
// its own engine, so two runs can live in one process (and in parallel threads).
//
// Records go to a ShardMerger, which adds up the totals and writes the rows in the order it gets
// them. One engine (run()) hands them over in event order, as it always did. A shard (run_shard())
// hands them over in the canonical order of sim/run/shard_item.hpp (by the time their window closed,
// records closing at the same instant by desktop index), so a sharded run writes the same bytes
// with 1 shard or N.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/metrics/strategy_result.hpp"
#include "sim/metrics/strategy_totals.hpp"
#include "sim/model/server_pool.hpp"
#include "sim/network/flow_network.hpp"
#include "sim/output/output_file.hpp"
#include "sim/run/shard_item.hpp"
#include "sim/run/shard_plan.hpp"
#include "sim/strategy/desktop_run.hpp"
#include "sim/strategy/strategy.hpp"
#include "sim/trace/idle_period_stream.hpp"

namespace jettison::sim {

// The sleep scheduler's view of a desktop's power figures; `path`: to its (first) server.
policy::SleepCosts sleep_costs(const Scenario& s, const DesktopSpec& d, const net::Route& path);
// The migration trigger's view: what acting costs for a migration taking `migration`.
policy::TriggerCosts trigger_costs(const Scenario& s, const DesktopSpec& d, const net::Route& path,
                                   Duration migration);

// Called now and then with the fraction of simulated time done.
using Progress = std::function<void(double)>;

class StrategyRun final : public Host {
 public:
  // `periods_csv` may be null (no per-period output).
  StrategyRun(const Scenario& scenario, const std::string& strategy, OutputFile* periods_csv,
              Progress progress = {});
  // One shard of a sharded run (plan.shardable): simulates only the desktops `plan` gives to
  // `shard` and hands their items to `sink` in the canonical order; run_shard() returns its figures.
  StrategyRun(const Scenario& scenario, const std::string& strategy, const ShardPlan& plan, unsigned shard,
              RecordSink& sink, Progress progress = {});
  StrategyResult run();
  ShardResult run_shard();
  // Writes the power-state changes of the scenario's timeline desktops to `out` (timeline.csv rows).
  void write_timeline_to(OutputFile* out) { timeline_csv_ = out; }
  // Also hands every closed window's record to `sink` (tests, analysis hooks).
  void on_record(std::function<void(const std::string& desktop, const PeriodRecord&)> sink) {
    record_sink_ = std::move(sink);
  }

  // Host
  Time now() const override { return engine_.now(); }
  void at(Time t, DesktopRun& d, EventKind kind) override;
  bool try_inline(Time t, Time own_next) override;
  void finish(DesktopRun& d) override;
  ServerPool& servers() override {
    flush_grows();
    return servers_;
  }
  void grow(DesktopRun& d, Bytes bytes) override;
  const Scenario& scenario() const override { return scenario_; }
  const net::Route& route(const DesktopRun& d, net::Direction dir) const override {
    return topology_.route(d.index, d.server, dir);
  }
  void transfer(DesktopRun& d, net::Direction dir, Bytes bytes, EventKind done, bool delivered) override;
  void transfer_capped(DesktopRun& d, net::Direction dir, Bytes bytes, EventKind done,
                       bool delivered) override;
  Bytes cancel_transfer(DesktopRun& d) override;
  Duration request_time(const DesktopRun& d, Bytes bytes) const override;
  std::uint64_t network_version() const override { return network_.version(); }

  // Engine dispatcher.
  bool dispatch(const Event& e);
  // The engine's hint that `next` is likely next and `after` (if known) the one after it: the state
  // `next`'s desktop points to, and `after`'s desktop, start loading into the cache.
  void upcoming(const Event& next, const Event* after) const;

 private:
  static constexpr std::uint32_t kTraceStream = ~std::uint32_t{0};
  static constexpr std::uint32_t kNetworkStream = ~std::uint32_t{0} - 1;
  // A no-op global event that keeps run-ahead from passing a returning desktop's transition.
  static constexpr std::uint32_t kBarrier = ~std::uint32_t{0} - 2;
  void next_period();
  // Keeps one queued event at the network's next flow completion.
  void schedule_network();
  void network_step();
  void start_flow(DesktopRun& d, std::span<const net::ResourceId> route, Bytes bytes, EventKind done,
                  bool delivered);
  void period_arrives(const IdlePeriod& p);
  void open_window(DesktopRun& d, Time start, Time end);
  StrategyRun(const Scenario& scenario, const std::string& strategy, OutputFile* periods_csv,
              Progress progress, const ShardPlan* plan, unsigned shard, RecordSink* sink);
  void init_desktops();
  // Runs the engine; the items go to sink_.
  ShardResult run_engine();
  // Called before anything happens at `t`: the instant before it is over.
  void advance_to(Time t) {
    if (t > instant_) end_instant(t);
  }
  void end_instant(Time next);
  bool sharded() const { return plan_ != nullptr; }
  // Whether events of `kind` touch only their desktop's state (the engine's local queue).
  static bool local(EventKind kind);
  // Applies the buffered footprint growths to the servers, in time order.
  void flush_grows();
  void apply_grows_until(Time t);
  // After a user return that found the desktop in `before`: a transition (suspend, resume) it was
  // in now ends in a global event (the full resume), so no run-ahead may pass its end.
  void hold_for_returning(const DesktopRun& d, PowerState before);

  const Scenario& scenario_;
  std::string strategy_name_;
  std::unique_ptr<Strategy> strategy_;
  OutputFile* periods_csv_;
  OutputFile* timeline_csv_ = nullptr;
  std::vector<std::vector<StateChange>> timelines_;  // per timeline desktop (their meters log here)
  Progress progress_;
  std::function<void(const std::string&, const PeriodRecord&)> record_sink_;
  Engine<> engine_;
  ServerPool servers_;
  const net::Topology& topology_;
  net::FlowNetwork network_;
  Time network_at_ = Time::never();  // the queued network event's time
  std::uint32_t network_token_ = 0;  // recognises the current one
  std::vector<net::FlowDone> flows_done_;
  std::vector<DesktopRun> desktops_;
  std::unique_ptr<IdlePeriodStream> periods_;
  IdlePeriod next_;
  StrategyResult result_;  // counters kept as the engine runs (totals: skipped periods only)

  // Sharded runs: which desktops are ours; what the merger has been told of servers and flows.
  const ShardPlan* plan_ = nullptr;
  unsigned shard_ = 0;
  RecordSink* sink_ = nullptr;
  std::vector<ServerDelta> servers_told_;  // per server: used, vms and admitted as last told
  std::size_t flows_told_ = 0;
  Time instant_;                       // the instant being simulated
  Time last_real_;                     // the last event that did something
  std::vector<ShardItem> closing_;     // records of windows closed at `instant_`
  std::uint64_t network_steps_ = 0;    // network events executed
  std::uint64_t flows_completed_ = 0;  // flows they finished
  std::uint64_t stand_ins_ = 0;        // page events standing in for skipped accesses

  // Run-ahead (sim/MODEL.md, "Event order"): on unless the scenario turns it off or the run is
  // sharded (a shard reports the servers' changes per instant, which needs events in time order).
  bool run_ahead_ = false;
  struct Growth {
    Time at;
    std::uint32_t server;
    Bytes bytes;
  };
  std::vector<Growth> grows_;         // footprint growths not yet applied to servers_
  std::vector<std::size_t> runs_;     // where grows_ steps back in time (starts of ascending runs)
  std::vector<Growth> merged_;        // apply_grows_until's scratch
  std::size_t next_apply_ = 16384;    // apply some when grows_ is this long
  std::vector<Time> transition_end_;  // per desktop: when its last suspend or resume ends
};

}  // namespace jettison::sim
