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
#include "sim/model/server.hpp"
#include "sim/run/desktop_run.hpp"
#include "sim/strategy/strategy.hpp"
#include "sim/trace/idle_period_stream.hpp"

namespace jettison::sim {

struct StrategyResult {
  std::string strategy;
  StrategyTotals totals;
  std::uint64_t events = 0;
  std::uint64_t inline_events = 0;  // of `events`, those trace streams ran without the queue
  Bytes server_peak;
  std::uint64_t server_refusals = 0;
};

// The sleep scheduler's view of a desktop's power figures.
policy::SleepCosts sleep_costs(const Scenario& s, const DesktopSpec& d);
// The migration trigger's view: what acting costs for a migration taking `migration`.
policy::TriggerCosts trigger_costs(const Scenario& s, const DesktopSpec& d, Duration migration);

// Called now and then with the fraction of simulated time done.
using Progress = std::function<void(double)>;

class StrategyRun final : public Host {
 public:
  // `periods_csv` may be null (no per-period output).
  StrategyRun(const Scenario& scenario, const std::string& strategy, std::ostream* periods_csv,
              Progress progress = {});
  StrategyResult run();
  // Writes the power-state changes of the scenario's timeline desktops to `out` (timeline.csv rows).
  void write_timeline_to(std::ostream* out) { timeline_csv_ = out; }
  // Also hands every closed window's record to `sink` (tests, analysis hooks).
  void on_record(std::function<void(const std::string& desktop, const PeriodRecord&)> sink) {
    record_sink_ = std::move(sink);
  }

  // Host
  Time now() const override { return engine_.now(); }
  void at(Time t, DesktopRun& d, EventKind kind) override;
  bool try_inline(Time t) override;
  void finish(DesktopRun& d) override;
  Server& server() override { return server_; }
  const Scenario& scenario() const override { return scenario_; }

  // Engine dispatcher.
  bool dispatch(const Event& e);

 private:
  static constexpr std::uint32_t kTraceStream = ~std::uint32_t{0};
  void next_period();
  void period_arrives(const IdlePeriod& p);
  void open_window(DesktopRun& d, Time start, Time end);

  const Scenario& scenario_;
  std::string strategy_name_;
  std::unique_ptr<Strategy> strategy_;
  std::ostream* periods_csv_;
  std::ostream* timeline_csv_ = nullptr;
  std::vector<std::vector<StateChange>> timelines_;  // per desktop; empty for those not traced
  Progress progress_;
  std::function<void(const std::string&, const PeriodRecord&)> record_sink_;
  Engine<> engine_;
  Server server_;
  std::unordered_map<std::string, std::uint32_t> desktop_index_;
  std::vector<DesktopRun> desktops_;
  std::unique_ptr<IdlePeriodStream> periods_;
  IdlePeriod next_;
  StrategyResult result_;
};

}  // namespace jettison::sim
