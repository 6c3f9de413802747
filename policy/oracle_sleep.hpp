// `oracle`: the offline rule the reports compare with. Given the idle period's Future (every
// page request's arrival and the user's return) it decides, by dynamic programming over the
// arrivals, for each idle gap whether to sleep as soon as the desktop is idle or to stay awake until
// the next request, minimising the period's energy in the simulator's timeline (sim/MODEL.md,
// "partial"), time shifts of late-served requests included. policy/SLEEP.md has the model and the DP.
// Optimal among schedulers that in every gap sleep at once or stay up until the next request; not a
// lower bound on every rule in every cost regime (policy/SLEEP.md, "What the oracle is optimal for").
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "policy/sleep_scheduler.hpp"

namespace jettison::policy {

// An optimal plan from one state: the desktop awake and idle (or serving) at `idle_since`, the
// requests arriving at arrivals[first..] still to serve. Per arrival index k (0..n, n = the number
// of arrivals before the user's return; index n is the last gap, up to the return): the time the
// plan's desktop goes idle before arrival k (Time::never() when the plan has no idle gap there) and
// its decision then.
struct SleepPlan {
  Energy energy;                    // from idle_since to the end of the full resume at the user's return
  std::vector<Time> idle_at;        // size n + 1
  std::vector<std::uint8_t> sleep;  // size n + 1: 1 = sleep at once, 0 = stay up until the next arrival
  std::size_t states = 0;           // DP states expanded (for tests and benchmarks)
};

// `arrivals` sorted; those at or after `user_return` are ignored. Requests at or before idle_since
// from `first` on are served awake on arrival (they have arrived while the desktop was serving).
SleepPlan plan_sleep(const SleepCosts& costs, const std::vector<Time>& arrivals, Time user_return,
                     std::size_t first, Time idle_since);

// The optimum for a whole period that starts at t with the desktop serving (what `oracle` achieves
// when the simulator follows the model).
Energy optimal_sleep_energy(const SleepCosts& costs, Time t, const Future& future);

class OracleSleep final : public SleepScheduler {
 public:
  explicit OracleSleep(const SleepCosts& costs) : costs_(costs), break_even_(costs.break_even()) {}

  void on_period_start(Time t, const Future* future) override;
  void on_wake(Time t) override;
  void on_request(Time arrival, Time served) override;
  void on_sleep(Time) override {}
  Time sleep_at() const override;
  bool offline() const override { return true; }

  // The optimum planned at the period's start (energy from the period start to the end of the
  // user's full resume), and how often the period was re-planned because the timeline left the plan.
  Energy planned_energy() const { return planned_energy_; }
  std::size_t replans() const { return replans_; }

 private:
  void decide();

  SleepCosts costs_;
  Duration break_even_;
  bool have_future_ = false;
  std::vector<Time> arrivals_;  // the period's arrivals in [start, user return), sorted
  Time user_return_;
  SleepPlan plan_;
  Energy planned_energy_;
  std::size_t replans_ = 0;
  Time last_;  // when the desktop last went idle (served, woke or the period began)
  Time seen_;  // the latest time a request was reported at: arrivals after it are to come
  bool sleep_now_ = false;
};

}  // namespace jettison::policy
