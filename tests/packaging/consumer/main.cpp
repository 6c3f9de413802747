// consumer [SCENARIO [OUT]]: loads a scenario with the installed simulator library (default: the
// installed share/jettison/scenarios/default.yaml), runs it, writes its outputs to OUT and prints one
// line per strategy; then the break-even gap of a policy object built from figures given here.
#include <cstdio>
#include <exception>
#include <string>

#include "policy/sleep_scheduler.hpp"
#include "sim/run/run_scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"

int main(int argc, char** argv) {
  using namespace jettison;
  const std::string scenario = argc > 1 ? argv[1] : JETTISON_DATA_DIR "/scenarios/default.yaml";
  const std::string out = argc > 2 ? argv[2] : "consumer-out";
  try {
    const sim::Scenario s = sim::load_scenario(scenario);
    sim::RunOptions options;
    options.out = out;
    options.threads = 1;
    const sim::RunReport report = sim::run_scenario(s, options);
    for (const auto& r : report.results) {
      std::printf("strategy %s energy_kwh %.6f baseline_kwh %.6f\n", r.strategy.c_str(),
                  r.totals.all.energy.kwh(), r.totals.all.baseline.kwh());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "consumer: %s\n", e.what());
    return 1;
  }
  // Suspending 2 s at 10 W and waking 3 s at 20 W, against 1 W asleep over those 5 s:
  // cycle = 20 J + 60 J - 5 J = 75 J; serving 16 W - asleep 1 W = 15 W saved: break-even 5 s.
  policy::SleepCosts costs;
  costs.serving = Power::watts(16);
  costs.asleep = Power::watts(1);
  costs.suspending = Power::watts(10);
  costs.resuming = Power::watts(20);
  costs.suspend = Duration::seconds(2);
  costs.wake = Duration::seconds(3);
  std::printf("break_even_us %lld\n", static_cast<long long>(costs.break_even().us()));
  return 0;
}
