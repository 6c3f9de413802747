#include "sim/run/strategy_run.hpp"

#include <algorithm>
#include <cassert>

#include "common/config/desktop_sleep_costs.hpp"
#include "policy/migration_triggers.hpp"
#include "policy/prefetchers.hpp"
#include "policy/sleep_schedulers.hpp"
#include "sim/run/shard_merger.hpp"

namespace jettison::sim {

policy::SleepCosts sleep_costs(const Scenario& s, const DesktopSpec& d, const net::Route& path) {
  return config::sleep_costs(figures_of(s, d), s.resume_pages, {path.latency, path.bottleneck});
}

policy::TriggerCosts trigger_costs(const Scenario& s, const DesktopSpec& d, const net::Route& path,
                                   Duration migration) {
  const PowerTable& p = d.power();
  const Power asleep = p[PowerState::kAsleep];
  const Duration reintegration = s.migration.reintegration_setup + path.latency +
                                 transfer_time(s.migration.partial.metadata, path.bottleneck);
  policy::TriggerCosts c;
  c.overhead = (p[PowerState::kMigrating] - asleep) * (migration + reintegration) +
               (p[PowerState::kSuspending] - asleep) * d.transitions().suspend +
               (p[PowerState::kResumingFull] - asleep) * d.transitions().resume_full;
  c.saving = p[PowerState::kIdle] - asleep;
  return c;
}

namespace {

// The topology's links, then, for a strategy with a rate cap, one link of that capacity per desktop
// (resource topology.resources() + desktop index) that its capped transfers also cross.
std::vector<Bandwidth> capacities(const net::Topology& topology, const Scenario& s,
                                  const Strategy& strategy) {
  std::vector<Bandwidth> c = topology.capacities();
  if (const auto cap = strategy.rate_cap(s)) c.resize(c.size() + s.desktops.size(), *cap);
  return c;
}

}  // namespace

StrategyRun::StrategyRun(const Scenario& scenario, const std::string& strategy, OutputFile* periods_csv,
                         Progress progress)
    : StrategyRun(scenario, strategy, periods_csv, std::move(progress), nullptr, 0, nullptr) {}

StrategyRun::StrategyRun(const Scenario& scenario, const std::string& strategy, const ShardPlan& plan,
                         unsigned shard, RecordSink& sink, Progress progress)
    : StrategyRun(scenario, strategy, nullptr, std::move(progress), &plan, shard, &sink) {
  assert(plan.shardable && shard < plan.shards);
}

StrategyRun::StrategyRun(const Scenario& scenario, const std::string& strategy, OutputFile* periods_csv,
                         Progress progress, const ShardPlan* plan, unsigned shard, RecordSink* sink)
    : scenario_(scenario),
      strategy_name_(strategy),
      strategy_(strategies().find(strategy)->make()),
      periods_csv_(periods_csv),
      progress_(std::move(progress)),
      servers_(scenario.servers),
      topology_(*scenario.network.graph),
      network_(capacities(topology_, scenario, *strategy_), scenario.network.solver),
      result_{strategy, StrategyTotals(0), 0, 0, Bytes{}, 0, {}, {}, 0, 0, 0},
      plan_(plan),
      shard_(shard),
      sink_(sink) {
  if (plan_) servers_told_.resize(servers_.size());
  run_ahead_ = scenario.run_ahead && !sharded();
  init_desktops();
}

void StrategyRun::init_desktops() {
  const Scenario& scenario = scenario_;
  const auto* sleep_rule = policy::sleep_schedulers().find(scenario.sleep.rule);
  const auto* prefetch_rule = policy::prefetchers().find(scenario.prefetch.rule);
  const auto* trigger_rule = policy::migration_triggers().find(scenario.trigger.rule);
  assert(sleep_rule && prefetch_rule && trigger_rule);
  const Strategy::Policies uses = strategy_->policies();
  desktops_.resize(scenario.desktops.size());
  transition_end_.assign(desktops_.size(), Time::never());
  for (std::uint32_t i = 0; i < desktops_.size(); ++i) {
    DesktopRun& d = desktops_[i];
    d.index = i;
    d.spec = &scenario.desktops[i];
    d.profile = &scenario.profiles[d.spec->profile];
    if (plan_ && !plan_->owns(shard_, i)) continue;  // another shard's: no state, no periods
    // Costs are judged on the path to the first server on an idle network.
    const net::Route& path = topology_.route(i, 0, net::Direction::kToServer);
    if (uses.sleep) d.sleep = sleep_rule->make(scenario.sleep.params, sleep_costs(scenario, *d.spec, path));
    // Rules that do nothing and keep no state (the registries mark them inert: prefetch `none`,
    // trigger `idle-time`) get no object: a null policy is such a rule (DesktopRun), and 32 bytes or
    // so a desktop are saved for each.
    if (uses.prefetch && !prefetch_rule->inert) {
      const policy::VmShape shape{d.spec->vm_memory().count() / scenario.page_size.count(),
                                  scenario.page_size};
      d.prefetcher = prefetch_rule->make(scenario.prefetch.params, shape);
    }
    if (uses.trigger && !trigger_rule->inert) {
      d.trigger = trigger_rule->make(scenario.trigger.params,
                                     trigger_costs(scenario, *d.spec, path,
                                                   strategy_->migration_estimate(scenario, *d.spec, path)));
    }
    d.awake =
        scenario.resume_pages == policy::ResumeKind::kSelective ? PowerState::kServing : PowerState::kIdle;
  }
}

// Events that touch only their desktop's own state go to the engine's local queue: a page access,
// the sleep timer, the end of a suspend or of a wake-up to serve pages. Whatever they do that others
// see goes through the host: a footprint growth (buffered, applied in time order) and the network
// share a page request reads (changed only by global events). The exception, a transition that ends
// after the user returned, is held by hold_for_returning.
bool StrategyRun::local(EventKind kind) {
  switch (kind) {
    case EventKind::kPageAccess:
    case EventKind::kSleepTimer:
    case EventKind::kSuspendDone:
    case EventKind::kResumeDone:
      return true;
    default:
      return false;
  }
}

void StrategyRun::at(Time t, DesktopRun& d, EventKind kind) {
  if (!local(kind)) {
    engine_.schedule(t, d.index, static_cast<std::uint16_t>(kind), d.epoch);
    return;
  }
  if (kind == EventKind::kSuspendDone || kind == EventKind::kResumeDone) transition_end_[d.index] = t;
  engine_.schedule_local(t, d.index, static_cast<std::uint16_t>(kind), d.epoch);
}

// A growth at `t` goes straight to its server when none is buffered and nothing queued comes before
// `t` (no event still to run, nor an access run ahead from one, can grow a server earlier); else it
// waits in grows_ (an access run ahead of queued events).
void StrategyRun::grow(DesktopRun& d, Bytes bytes) {
  const Time t = engine_.now();
  if (!run_ahead_ || (grows_.empty() && !(engine_.head() < t))) {
    servers_.grow(d.server, bytes, t);
    return;
  }
  if (!grows_.empty() && t < grows_.back().at) runs_.push_back(grows_.size());  // a new ascending run
  grows_.push_back({t, d.server, bytes});
}

// Every growth buffered comes from an event that runs before the current one in (time, seq) order,
// so none is later than now. Growths at one instant are pure additions and commute (the same used
// bytes, peak and overcommit count in any order); across instants the servers' integrals need time
// order.
void StrategyRun::flush_grows() {
  if (grows_.empty()) return;
  apply_grows_until(engine_.now());
  assert(grows_.empty() && "no growth buffered is later than a global event");
}

// Applies the buffered growths at or before `t`, in time order. Safe whenever nothing not yet run
// comes before `t` (every queued event is at `t` or later), so no later growth can precede them.
// grows_ is a few ascending runs (each from one replay: run-ahead moves forward, the queue's next
// event may be earlier), so they are merged pairwise rather than sorted.
void StrategyRun::apply_grows_until(Time t) {
  if (!runs_.empty()) {
    const auto earlier = [](const Growth& a, const Growth& b) { return a.at < b.at; };
    runs_.push_back(grows_.size());  // bounds: 0 (implicit), the runs' starts, the end
    while (runs_.size() > 1) {
      merged_.resize(grows_.size());
      std::size_t from = 0, kept = 0;
      for (std::size_t k = 0; k < runs_.size(); k += 2) {
        const std::size_t mid = runs_[k];
        const std::size_t to = k + 1 < runs_.size() ? runs_[k + 1] : mid;
        // Equal times commute (pure additions at one instant): any order among them will do.
        std::merge(grows_.begin() + from, grows_.begin() + mid, grows_.begin() + mid, grows_.begin() + to,
                   merged_.begin() + from, earlier);
        runs_[kept++] = to;
        from = to;
      }
      runs_.resize(kept);
      grows_.swap(merged_);
    }
    runs_.clear();
    assert(std::is_sorted(grows_.begin(), grows_.end(), earlier));
  }
  auto end = grows_.begin();
  for (; end != grows_.end() && end->at <= t; ++end) servers_.grow(end->server, end->bytes, end->at);
  grows_.erase(grows_.begin(), end);
  next_apply_ = std::max<std::size_t>(16384, 4 * grows_.size());
}

void StrategyRun::hold_for_returning(const DesktopRun& d, PowerState before) {
  if (!run_ahead_ || !d.in_window || !d.returning) return;
  switch (before) {
    case PowerState::kSuspending:
    case PowerState::kResumingSelective:
    case PowerState::kResumingFull:
      // Entered by begin_suspend or a wake-up (the user was away): its end event is queued local.
      assert(transition_end_[d.index] >= now() && transition_end_[d.index] != Time::never());
      engine_.schedule(transition_end_[d.index], kBarrier, 0);
      return;
    default:
      return;
  }
}

void StrategyRun::transfer(DesktopRun& d, net::Direction dir, Bytes bytes, EventKind done, bool delivered) {
  assert(!d.flow && "one transfer per desktop at a time");
  const net::Route& path = route(d, dir);
  if (bytes.count() == 0) {  // nothing to send: only the latency, if the arrival counts
    at(now() + (delivered ? path.latency : Duration{}), d, done);
    return;
  }
  start_flow(d, path.resources, bytes, done, delivered);
}

void StrategyRun::transfer_capped(DesktopRun& d, net::Direction dir, Bytes bytes, EventKind done,
                                  bool delivered) {
  assert(strategy_->rate_cap(scenario_) && "a capped transfer needs the strategy's rate cap");
  const net::Route& path = route(d, dir);
  if (bytes.count() == 0) {
    transfer(d, dir, bytes, done, delivered);
    return;
  }
  std::vector<net::ResourceId> resources(path.resources.begin(), path.resources.end());
  resources.push_back(static_cast<net::ResourceId>(topology_.resources() + d.index));
  start_flow(d, resources, bytes, done, delivered);
}

void StrategyRun::start_flow(DesktopRun& d, std::span<const net::ResourceId> route, Bytes bytes,
                             EventKind done, bool delivered) {
  assert(!d.flow && "one transfer per desktop at a time");
  d.flow = network_.start(now(), route, bytes, d.index);
  d.flow_done = static_cast<std::uint16_t>(done);
  d.flow_delivered = delivered;
  ++result_.flows;
  result_.peak_concurrent_flows = std::max(result_.peak_concurrent_flows, network_.active());
  schedule_network();
}

Bytes StrategyRun::cancel_transfer(DesktopRun& d) {
  if (!d.flow) return Bytes{};
  const Bytes sent = network_.cancel(now(), *d.flow);
  d.flow.reset();
  schedule_network();
  return sent;
}

Duration StrategyRun::request_time(const DesktopRun& d, Bytes bytes) const {
  const net::Route& path = route(d, net::Direction::kToServer);
  return path.latency * 2 + transfer_time(bytes, network_.share_for(path.resources));
}

void StrategyRun::schedule_network() {
  const Time next = network_.next_completion();
  if (next == network_at_) return;
  network_at_ = next;
  ++network_token_;  // the event queued for the old time, if any, is now stale
  if (next != Time::never()) {
    engine_.schedule(max(next, now()), kNetworkStream, 0, network_token_);
  }
}

// Flows that finished sending: each desktop hears of it when its last byte left, or arrived.
void StrategyRun::network_step() {
  network_at_ = Time::never();
  flows_done_.clear();
  network_.advance(now(), flows_done_);
  for (const net::FlowDone& f : flows_done_) {
    DesktopRun& d = desktops_[static_cast<std::uint32_t>(f.tag)];
    assert(d.flow && *d.flow == f.id);
    d.flow.reset();
    const Duration latency = d.flow_delivered ? route(d, net::Direction::kToServer).latency : Duration{};
    at(max(f.sent, now()) + latency, d, static_cast<EventKind>(d.flow_done));
  }
  schedule_network();
}

// Run-ahead: a desktop's page accesses run inline while they come strictly before the earliest
// global event and before the desktop's own next local event (`own_next`). Without it (or in a
// shard), only while they come strictly before everything queued.
bool StrategyRun::try_inline(Time t, Time own_next) {
  if (run_ahead_) {
    if (!(t < own_next) || !(t < engine_.horizon())) return false;
    engine_.execute_inline(t);
    return true;
  }
  if (!engine_.runs_before_queue(t)) return false;
  advance_to(t);
  engine_.execute_inline(t);
  last_real_ = t;
  return true;
}

void StrategyRun::next_period() {
  if (periods_->next(next_))
    engine_.schedule(next_.start, kTraceStream, static_cast<std::uint16_t>(EventKind::kIdleArrival));
}

StrategyResult StrategyRun::run() {
  assert(!sharded());
  ShardMerger merger(scenario_, strategy_name_, periods_csv_, timeline_csv_, /*canonical=*/false);
  if (record_sink_) merger.on_record(record_sink_);
  sink_ = &merger;
  std::vector<ShardResult> parts(1);  // the one part, not copied (its links: a few per desktop)
  parts[0] = run_engine();
  sink_ = nullptr;
  flush_grows();
  EngineFigures engine;
  engine.server_peak = servers_.peak_memory();
  engine.servers = servers_.figures(engine_.now());
  engine.peak_concurrent_flows = result_.peak_concurrent_flows;
  return merger.finish(parts, &engine);
}

ShardResult StrategyRun::run_shard() {
  assert(sharded());
  return run_engine();
}

ShardResult StrategyRun::run_engine() {
  if (timeline_csv_ || sharded()) {
    timelines_.resize(scenario_.timeline_desktops.size());  // sized once: the meters point into it
    for (std::size_t k = 0; k < timelines_.size(); ++k) {
      const std::uint32_t i = scenario_.timeline_desktops[k];
      if (!sharded() || plan_->owns(shard_, i)) desktops_[i].meter.record_to(&timelines_[k]);
    }
  }
  // The run's desktops by name, through the topology's sorted names (its desktops are the scenario's,
  // in its order; checked): no map of names per run. A shard runs only its own.
  periods_ = std::make_unique<IdlePeriodStream>(
      scenario_.idle_trace, [this](std::string_view name) -> std::optional<std::uint32_t> {
        const std::optional<std::uint32_t> i = topology_.find_desktop(name);
        if (!i || *i >= desktops_.size() || desktops_[*i].spec->id != name) return std::nullopt;
        if (plan_ && !plan_->owns(shard_, *i)) return std::nullopt;
        return i;
      });
  next_period();
  const double span = static_cast<double>(std::max<std::int64_t>(scenario_.idle_trace.end.us(), 1));
  struct Dispatcher {
    StrategyRun& run;
    std::uint64_t until_progress = 1 << 20;
    bool dispatch(const Event& e) {
      if (run.progress_ && --until_progress == 0) {
        until_progress = 1 << 20;
        run.progress_(static_cast<double>(e.time.us()) / span_us);
      }
      run.advance_to(e.time);
      if (!run.dispatch(e)) return false;
      run.last_real_ = e.time;
      return true;
    }
    void upcoming(const Event& next, const Event* after) const { run.upcoming(next, after); }
    double span_us;
  } dispatcher{*this, 1 << 20, span};
  engine_.run(dispatcher);
  flush_grows();
  end_instant(Time::never());
  for (const DesktopRun& d : desktops_) {
    assert(!d.in_window && "every window closes once the queue drains");
    if (d.pending) ++result_.totals.skipped_periods;
  }
  // The desktops' state is done with: it goes before the link figures and the merger's are made, so
  // that a run's peak memory is not at its end (issue 15: ~100 bytes a desktop for full).
  std::vector<DesktopRun>().swap(desktops_);
  std::vector<Time>().swap(transition_end_);
  assert(network_.active() == 0 && "every flow ends before its window closes");
  ShardResult part;
  // The model's events: page events standing in for skipped accesses exist or not depending on
  // what else is queued (and on run-ahead), so they are not counted.
  part.events = engine_.executed() - stand_ins_;
  // Sharded: a network event counts once per flow it finishes, as in one engine where flows of
  // other shards may finish at the same µs and share the event.
  if (sharded()) part.events = part.events - network_steps_ + flows_completed_;
  part.inline_events = engine_.executed_inline();
  part.flows = result_.flows;
  part.rate_recomputations = network_.recomputations();
  part.skipped_periods = result_.totals.skipped_periods;
  part.server_refusals = servers_.refusals();
  // One engine closes its books at its last event as it always did; a shard at its last event that
  // did something (a cancelled event of its own would not exist in another split).
  part.end = sharded() ? last_real_ : engine_.now();
  for (net::ResourceId r = 0; r < topology_.resources(); ++r) {
    const net::FlowNetwork::ResourceStats st = network_.stats(r, part.end);
    if (st.bytes_carried <= 0) continue;
    part.links.push_back({r, st.peak_utilisation, st.bytes_carried});
  }
  return part;
}

// The instant `instant_` is over: what it changed goes out, then its records by desktop index.
void StrategyRun::end_instant(Time next) {
  if (sharded()) {
    flush_grows();
    const std::size_t flows = network_.active();
    std::int64_t flows_changed = static_cast<std::int64_t>(flows) - static_cast<std::int64_t>(flows_told_);
    flows_told_ = flows;
    const auto changes = [&](const ServerDelta& server) {
      ShardItem c;
      c.kind = ShardItem::Kind::kChanges;
      c.at = instant_;
      c.flows = flows_changed;
      c.server = server;
      flows_changed = 0;
      sink_->put(std::move(c));
    };
    for (std::uint32_t v = 0; v < servers_told_.size(); ++v) {
      ServerDelta& told = servers_told_[v];
      const ServerDelta now{v, static_cast<std::int64_t>(servers_.used(v).count()),
                            static_cast<std::int32_t>(servers_.vms(v)),
                            static_cast<std::uint32_t>(servers_.admitted(v))};
      if (now.bytes == told.bytes && now.vms == told.vms && now.admitted == told.admitted) continue;
      changes({v, now.bytes - told.bytes, now.vms - told.vms, now.admitted - told.admitted});
      told = now;
    }
    if (flows_changed != 0) changes({ShardItem::kNoServer, 0, 0, 0});
  }
  if (closing_.size() > 1)
    std::sort(closing_.begin(), closing_.end(),
              [](const ShardItem& a, const ShardItem& b) { return a.record.desktop < b.record.desktop; });
  for (ShardItem& item : closing_) sink_->put(std::move(item));
  closing_.clear();
  instant_ = next;
}

bool StrategyRun::dispatch(const Event& e) {
  // Nothing queued comes before `e`: the growths up to its time can be applied, so the buffer stays
  // small (a run-ahead may have left later ones).
  if (grows_.size() >= next_apply_) apply_grows_until(e.time);
  if (e.target == kNetworkStream) {
    if (e.token != network_token_) return false;
    network_step();
    ++network_steps_;
    flows_completed_ += flows_done_.size();
    return true;
  }
  if (e.target == kBarrier) return false;  // holds run-ahead back; does nothing
  const auto kind = static_cast<EventKind>(e.kind);
  if (kind == EventKind::kIdleArrival) {
    const IdlePeriod p = next_;
    next_period();
    period_arrives(p);
    return true;
  }
  DesktopRun& d = desktops_[e.target];
  if (kind == EventKind::kUserReturn) {
    if (e.token != d.epoch || !d.in_window) return false;
    const PowerState before = d.meter.state();
    strategy_->on_user_return(*this, d);
    hold_for_returning(d, before);
    return true;
  }
  if (!d.in_window) return false;
  // An event standing in for skipped page accesses exists or not depending on what else is queued
  // (sim/model/first_touch_index.hpp): a sharded run does not count it, so the count is the same in
  // any split.
  const bool stand_in = kind == EventKind::kPageAccess && d.partial && d.partial->cursor.parked();
  const bool executed = strategy_->on_event(*this, d, kind, e);
  if (executed && stand_in) ++stand_ins_;
  return executed;
}

// Two stages: `after`'s DesktopRun now; `next`'s, asked for one event ago as `after`, is mostly in
// the cache, so what it points to can be asked for too (partial's window and route, the sleep
// scheduler).
void StrategyRun::upcoming(const Event& next, const Event* after) const {
  const auto fetch = [](const void* object, std::size_t bytes) {
    const char* p = static_cast<const char*>(object);
    for (std::size_t at = 0; at < bytes; at += 64) __builtin_prefetch(p + at);
  };
  if (after && after->target < desktops_.size()) fetch(&desktops_[after->target], sizeof(DesktopRun));
  if (next.target >= desktops_.size()) return;
  const DesktopRun& d = desktops_[next.target];
  fetch(&d, sizeof(DesktopRun));
  if (d.partial) {
    fetch(d.partial.get(), sizeof(PartialWindow));
    // A page request's service time reads the desktop's route to its server.
    fetch(&route(d, net::Direction::kToServer), sizeof(net::Route));
  }
  if (d.sleep) fetch(d.sleep.get(), 128);
}

void StrategyRun::period_arrives(const IdlePeriod& p) {
  DesktopRun& d = desktops_[p.desktop];
  if (!d.in_window) {
    open_window(d, p.start, p.end);
    return;
  }
  // Still coming back from the previous period: this one starts when the desktop is done.
  if (d.pending) ++result_.totals.skipped_periods;
  d.pending = PendingPeriod{p.start, p.end};
}

void StrategyRun::open_window(DesktopRun& d, Time start, Time end) {
  assert(start < end);
  d.in_window = true;
  d.window_start = start;
  d.user_return = end;
  ++d.epoch;
  d.rec = WindowRecord{};
  d.rec.period = d.periods_started++;
  d.acted = false;
  d.returning = false;
  d.wake_pending = false;
  d.footprint = Bytes{};
  d.hosted = false;
  d.server = 0;
  d.meter.start(start, PowerState::kIdle);
  engine_.schedule(end, d.index, static_cast<std::uint16_t>(EventKind::kUserReturn), d.epoch);
  strategy_->on_idle(*this, d);
}

void StrategyRun::finish(DesktopRun& d) {
  flush_grows();
  const Time t = engine_.now();
  assert(d.in_window && t >= d.user_return);
  d.meter.stop(t);
  PeriodRecord r = d.rec.record(d.index, d.window_start);
  const PowerTable& power = d.spec->power();
  r.idle = d.user_return - d.window_start;
  r.window = t - d.window_start;
  r.state_time = d.meter.times();
  assert(d.meter.total() == r.window && "time in states adds up to the window");
  r.energy = d.meter.energy(power);
  r.energy += r.proxy_energy;  // the proxy strategy's proxy (0 for the others)
  // Always-on over the same window: idle while the user is away, then the user works.
  r.baseline = power[PowerState::kIdle] * r.idle + power[PowerState::kActive] * (r.window - r.idle);
  if (r.window > r.idle) r.return_latency = r.window - r.idle;
  assert(!d.flow && "no transfer outlives its window");
  if (d.hosted) {
    r.server_energy = servers_.stop_hosting(d.server, d.hosting_mark, d.hosted_since, t);
    if (scenario_.servers.add_to_total) r.energy += r.server_energy;
    d.hosted = false;
  }
  if (d.trigger) d.trigger->on_period_end(r.idle);
  if (d.sleep) d.sleep->on_period_end(d.user_return);
  if (d.footprint.count() > 0) servers_.release(d.server, d.footprint, t);
  d.footprint = Bytes{};
  d.in_window = false;
  ++d.epoch;
  // One engine: out now, in event order (as ever). A shard: out when the instant is over, with the
  // other windows closing now, by desktop index (the canonical order).
  ShardItem& item = closing_.emplace_back();
  item.at = t;
  item.record = r;
  if (std::vector<StateChange>* log = d.meter.log(); log && !log->empty()) {
    item.timeline = std::move(*log);
    log->clear();
  }
  if (!sharded()) {
    sink_->put(std::move(item));
    closing_.clear();
  }

  if (d.pending) {
    const PendingPeriod p = *d.pending;
    d.pending.reset();
    if (p.end > t) {
      open_window(d, max(p.start, t), p.end);
    } else {
      ++result_.totals.skipped_periods;
    }
  }
}

}  // namespace jettison::sim
