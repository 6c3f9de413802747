#include "policy/oracle_sleep.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

namespace jettison::policy {
namespace {

constexpr std::int64_t kNoParent = -1;

// One DP state: the desktop awake and idle at `idle` with arrivals[k..] still to come (all after
// `idle`), reached for `cost` (energy since the plan's start).
struct Node {
  std::size_t k;
  Time idle;
  Energy cost;
  std::int64_t parent;  // the state this one was reached from (kNoParent: the start)
  bool slept;           // how the parent left its gap: slept at once (true) or stayed up
};

class Planner {
 public:
  Planner(const SleepCosts& c, const std::vector<Time>& a, Time user_return)
      : c_(c),
        a_(a),
        n_(static_cast<std::size_t>(std::lower_bound(a.begin(), a.end(), user_return) - a.begin())),
        r_(user_return),
        at_(n_ + 1) {}

  SleepPlan run(std::size_t first, Time idle_since) {
    // The start: requests that came while the desktop was serving are served awake.
    const auto [k0, s0] = absorb(std::min(first, n_), idle_since);
    if (s0 >= r_) {
      finish(c_.serving * (r_ - idle_since) + c_.resuming_full * c_.full_resume_from_awake, kNoParent, false);
    } else {
      add(k0, s0, c_.serving * (s0 - idle_since), kNoParent, false);
    }
    for (std::size_t k = 0; k <= n_; ++k) {
      if (k < n_) prune(k);
      for (std::size_t id : at_[k]) expand(id);
    }
    return backtrack();
  }

 private:
  // Requests from arrivals[k] on that arrive by `idle` (the desktop still serving) are served on
  // arrival, `service` later, which may keep the desktop busy for the next ones.
  std::pair<std::size_t, Time> absorb(std::size_t k, Time idle) const {
    while (k < n_ && a_[k] <= idle) {
      idle = max(idle, a_[k] + c_.service);
      ++k;
    }
    return {k, idle};
  }

  void add(std::size_t k, Time idle, Energy cost, std::int64_t parent, bool slept) {
    for (std::size_t id : at_[k]) {
      if (nodes_[id].idle != idle) continue;
      if (cost < nodes_[id].cost) nodes_[id] = Node{k, idle, cost, parent, slept};
      return;
    }
    at_[k].push_back(nodes_.size());
    nodes_.push_back(Node{k, idle, cost, parent, slept});
  }

  void finish(Energy cost, std::int64_t parent, bool slept) {
    if (cost < best_) {
      best_ = cost;
      best_parent_ = parent;
      best_slept_ = slept;
    }
  }

  // Drops the states of gap k (k < n) that another state of the same gap dominates: idle earlier
  // at S1 < S2, both asleep before arrivals[k] if they sleep (S2 + suspend <= a_k), and
  // cost1 + max(serving, asleep) x (S2 - S1) <= cost2. Staying up or sleeping, state 1 reaches the
  // very situation state 2 reaches, for no more energy.
  void prune(std::size_t k) {
    std::vector<std::size_t>& ids = at_[k];
    if (ids.size() < 2) return;
    std::sort(ids.begin(), ids.end(),
              [&](std::size_t x, std::size_t y) { return nodes_[x].idle < nodes_[y].idle; });
    const double p = std::max(c_.serving.watts(), c_.asleep.watts());
    const Time ak = a_[k];
    // key = cost + p x (a_k - idle): state 1 dominates state 2 when key1 <= key2.
    double best_key = std::numeric_limits<double>::infinity();
    std::vector<std::size_t> kept;
    kept.reserve(ids.size());
    for (std::size_t id : ids) {
      const Node& nd = nodes_[id];
      const double key = nd.cost.joules() + p * (ak - nd.idle).seconds_f();
      if (nd.idle + c_.suspend <= ak && best_key <= key) continue;
      kept.push_back(id);
      best_key = std::min(best_key, key);
    }
    ids = std::move(kept);
  }

  void expand(std::size_t id) {
    ++states_;
    const Node nd = nodes_[id];
    const auto parent = static_cast<std::int64_t>(id);
    const Time s = nd.idle;
    const Energy full_awake = c_.resuming_full * c_.full_resume_from_awake;
    const Energy full_asleep = c_.resuming_full * c_.full_resume_from_sleep;
    const Energy suspend = c_.suspending * c_.suspend;
    const Time suspended = s + c_.suspend;

    if (nd.k == n_) {  // the last gap, up to the user's return
      finish(nd.cost + c_.serving * (r_ - s) + full_awake, parent, false);
      const Energy asleep = r_ > suspended ? c_.asleep * (r_ - suspended) : Energy{};
      finish(nd.cost + suspend + asleep + full_asleep, parent, true);
      return;
    }
    const Time next = a_[nd.k];

    // Stay up: the next request is served on arrival.
    {
      const auto [k2, s2] = absorb(nd.k + 1, next + c_.service);
      if (s2 >= r_) {
        finish(nd.cost + c_.serving * (r_ - s) + full_awake, parent, false);
      } else {
        add(k2, s2, nd.cost + c_.serving * (s2 - s), parent, false);
      }
    }
    // Sleep at once: the request wakes the desktop once the suspend is over; the requests that
    // arrive meanwhile are queued and served together when the wake ends.
    if (r_ <= suspended) {  // the user is back before the suspend ends
      finish(nd.cost + suspend + full_asleep, parent, true);
      return;
    }
    const Time wake_start = max(next, suspended);
    const Energy cycle = suspend + c_.asleep * (wake_start - suspended) + c_.resuming * c_.wake;
    const Time woke = wake_start + c_.wake;
    if (r_ <= woke) {  // the user is back during the wake: it ends, then the rest of a full resume
      finish(nd.cost + cycle + full_awake, parent, true);
      return;
    }
    const auto [k2, s2] = absorb(nd.k, woke + c_.service);
    if (s2 >= r_) {
      finish(nd.cost + cycle + c_.serving * (r_ - woke) + full_awake, parent, true);
    } else {
      add(k2, s2, nd.cost + cycle + c_.serving * (s2 - woke), parent, true);
    }
  }

  SleepPlan backtrack() const {
    SleepPlan plan;
    plan.energy = best_;
    plan.idle_at.assign(n_ + 1, Time::never());
    plan.sleep.assign(n_ + 1, 0);
    plan.states = states_;
    bool decision = best_slept_;
    for (std::int64_t id = best_parent_; id != kNoParent;) {
      const Node& nd = nodes_[static_cast<std::size_t>(id)];
      plan.idle_at[nd.k] = nd.idle;
      plan.sleep[nd.k] = decision ? 1 : 0;
      decision = nd.slept;
      id = nd.parent;
    }
    return plan;
  }

  const SleepCosts& c_;
  const std::vector<Time>& a_;
  std::size_t n_;
  Time r_;
  std::vector<Node> nodes_;
  std::vector<std::vector<std::size_t>> at_;  // the states of each gap, by the next arrival's index
  Energy best_ = Energy::joules(std::numeric_limits<double>::infinity());
  std::int64_t best_parent_ = kNoParent;
  bool best_slept_ = false;
  std::size_t states_ = 0;
};

}  // namespace

SleepPlan plan_sleep(const SleepCosts& costs, const std::vector<Time>& arrivals, Time user_return,
                     std::size_t first, Time idle_since) {
  return Planner(costs, arrivals, user_return).run(first, idle_since);
}

Energy optimal_sleep_energy(const SleepCosts& costs, Time t, const Future& future) {
  std::vector<Time> a;
  for (Time x : future.requests)
    if (x >= t && x < future.user_return) a.push_back(x);
  std::sort(a.begin(), a.end());
  return plan_sleep(costs, a, future.user_return, 0, t).energy;
}

void OracleSleep::on_period_start(Time t, const Future* future) {
  last_ = t;
  seen_ = t - Duration::micros(1);  // requests arriving at t are still to come
  sleep_now_ = false;
  replans_ = 0;
  have_future_ = future != nullptr;
  arrivals_.clear();
  plan_ = SleepPlan{};
  planned_energy_ = Energy{};
  if (!have_future_) return;
  user_return_ = future->user_return;
  for (Time x : future->requests)
    if (x >= t && x < user_return_) arrivals_.push_back(x);
  std::sort(arrivals_.begin(), arrivals_.end());
  plan_ = plan_sleep(costs_, arrivals_, user_return_, 0, t);
  planned_energy_ = plan_.energy;
  decide();
}

void OracleSleep::on_wake(Time t) {
  // The requests queued during the wake are served next (on_request follows): stay up for them.
  last_ = max(last_, t);
  seen_ = max(seen_, t);
  sleep_now_ = false;
}

void OracleSleep::on_request(Time arrival, Time served) {
  last_ = max(last_, served);
  seen_ = max(seen_, arrival);
  decide();
}

// Finds the current gap in the plan: the requests not yet reported (after seen_) that arrive by the
// time the desktop is idle are served on arrival first, as in the plan; the next one ends the gap.
// When the timeline has left the plan (the simulator served a queued group a little later than one
// `service`, say), re-plans from where the desktop really is.
void OracleSleep::decide() {
  sleep_now_ = false;
  if (!have_future_) return;
  const std::size_t n = arrivals_.size();
  auto k = static_cast<std::size_t>(std::upper_bound(arrivals_.begin(), arrivals_.end(), seen_) -
                                    arrivals_.begin());
  Time idle = last_;
  while (k < n && arrivals_[k] <= idle) {
    idle = max(idle, arrivals_[k] + costs_.service);
    ++k;
  }
  if (idle >= user_return_) return;  // serving when the user returns: nothing to decide
  if (plan_.idle_at.size() != n + 1 || plan_.idle_at[k] != idle) {
    plan_ = plan_sleep(costs_, arrivals_, user_return_, k, idle);
    ++replans_;
  }
  sleep_now_ = plan_.sleep[k] != 0;
}

Time OracleSleep::sleep_at() const {
  if (!have_future_) {  // no future given (a simulator that does not provide it): break-even
    if (break_even_ >= Duration::max()) return Time::never();
    return last_ + break_even_;
  }
  return sleep_now_ ? last_ : Time::never();
}

}  // namespace jettison::policy
