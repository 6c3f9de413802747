#include "sim/sweep/sweep_point.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "common/input_error.hpp"
#include "sim/run/run_scenario.hpp"
#include "sim/sweep/point_folder.hpp"

namespace jettison::sim {

std::string point_path(const Grid& grid, std::size_t point) { return "points/" + point_folder(grid, point); }

SweepPointResult run_point(const SweepInput& in, std::size_t point, const std::filesystem::path& out) {
  SweepPointResult result;
  result.folder = point_path(in.grid, point);
  const Scenario s = load_point(in, point);
  RunOptions options;
  options.out = out;
  options.threads = 1;
  try {
    const RunReport report = run_scenario(s, options);
    for (const StrategyResult& r : report.results)
      result.strategies.emplace_back(r.strategy, strategy_figures(r, s));
    result.wall_seconds = report.wall_seconds;
    const bool runs_partial =
        std::find(s.strategies.begin(), s.strategies.end(), "partial") != s.strategies.end();
    if (runs_partial && s.sleep.rule != "oracle") {
      Scenario with_oracle = s;
      with_oracle.sleep.rule = "oracle";
      StrategyRun run(with_oracle, "partial", nullptr);
      result.partial_oracle = strategy_figures(run.run(), s);
    }
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error(
        fmt::format("point {} ({}): {}", point, describe_point(in.grid, point), e.what()));
  }
  return result;
}

}  // namespace jettison::sim
