// One strategy over the whole scenario: the engine, the desktops, the server, and the records.
// Strategies run independently on the same traces, each with its own engine, so two runs can live
// in one process (and in parallel threads).
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/metrics/strategy_totals.hpp"
#include "sim/model/server_pool.hpp"
#include "sim/network/flow_network.hpp"
#include "sim/output/output_file.hpp"
#include "sim/run/desktop_run.hpp"
#include "sim/strategy/strategy.hpp"
#include "sim/trace/idle_period_stream.hpp"

namespace jettison::sim {

// One network resource (a link direction, or a half-duplex link) over a run.
struct LinkFigures {
  std::string link;  // "a-b"
  std::string from, to;
  Bandwidth capacity;
  double peak_utilisation = 0;
  double mean_utilisation = 0;
  Bytes carried;
};

struct StrategyResult {
  std::string strategy;
  StrategyTotals totals;
  std::uint64_t events = 0;
  std::uint64_t inline_events = 0;  // of `events`, those trace streams ran without the queue
  Bytes server_peak;
  std::uint64_t server_refusals = 0;
  std::vector<ServerFigures> servers;
  std::vector<LinkFigures> links;  // resources that carried any flow
  std::uint64_t flows = 0;
  std::uint64_t rate_recomputations = 0;
  std::size_t peak_concurrent_flows = 0;
};

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
  StrategyResult run();
  // Writes the power-state changes of the scenario's timeline desktops to `out` (timeline.csv rows).
  void write_timeline_to(OutputFile* out) { timeline_csv_ = out; }
  // Also hands every closed window's record to `sink` (tests, analysis hooks).
  void on_record(std::function<void(const std::string& desktop, const PeriodRecord&)> sink) {
    record_sink_ = std::move(sink);
  }

  // Host
  Time now() const override { return engine_.now(); }
  void at(Time t, DesktopRun& d, EventKind kind) override;
  bool try_inline(Time t) override;
  void finish(DesktopRun& d) override;
  ServerPool& servers() override { return servers_; }
  const Scenario& scenario() const override { return scenario_; }
  const net::Route& route(const DesktopRun& d, net::Direction dir) const override {
    return topology_.route(d.index, d.server, dir);
  }
  void transfer(DesktopRun& d, net::Direction dir, Bytes bytes, EventKind done, bool delivered) override;
  Bytes cancel_transfer(DesktopRun& d) override;
  Duration request_time(const DesktopRun& d, Bytes bytes) const override;

  // Engine dispatcher.
  bool dispatch(const Event& e);

 private:
  static constexpr std::uint32_t kTraceStream = ~std::uint32_t{0};
  static constexpr std::uint32_t kNetworkStream = ~std::uint32_t{0} - 1;
  void next_period();
  // Keeps one queued event at the network's next flow completion.
  void schedule_network();
  void network_step();
  void period_arrives(const IdlePeriod& p);
  void open_window(DesktopRun& d, Time start, Time end);

  const Scenario& scenario_;
  std::string strategy_name_;
  std::unique_ptr<Strategy> strategy_;
  OutputFile* periods_csv_;
  OutputFile* timeline_csv_ = nullptr;
  std::vector<std::vector<StateChange>> timelines_;  // per desktop; empty for those not traced
  Progress progress_;
  std::function<void(const std::string&, const PeriodRecord&)> record_sink_;
  Engine<> engine_;
  ServerPool servers_;
  const net::Topology& topology_;
  net::FlowNetwork network_;
  Time network_at_ = Time::never();  // the queued network event's time
  std::uint32_t network_token_ = 0;  // recognises the current one
  std::vector<net::FlowDone> flows_done_;
  std::unordered_map<std::string, std::uint32_t> desktop_index_;
  std::vector<DesktopRun> desktops_;
  std::unique_ptr<IdlePeriodStream> periods_;
  IdlePeriod next_;
  StrategyResult result_;
};

}  // namespace jettison::sim
