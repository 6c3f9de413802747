#include "sim/sweep/sweep_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <stdexcept>

#include "common/input_error.hpp"
#include "sim/output/staged_output.hpp"
#include "sim/run/run_scenario.hpp"
#include "sim/sweep/parallel_for.hpp"
#include "sim/sweep/point_folder.hpp"
#include "sim/sweep/progress_bar.hpp"
#include "sim/sweep/sweep_csv.hpp"
#include "sim/sweep/sweep_json.hpp"

namespace jettison::sim {
namespace {

namespace fs = std::filesystem;

template <typename Write>
void write_file(const fs::path& p, Write write) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  if (!f) throw std::runtime_error(fmt::format("cannot write '{}'", p.string()));
  write(f);
  f.close();
  if (!f) throw std::runtime_error(fmt::format("error writing '{}' (disk full?)", p.string()));
}

SweepPointResult run_point(const SweepInput& in, std::size_t point, const StagedOutput& staged) {
  SweepPointResult result;
  result.folder = "points/" + point_folder(in.grid, point);
  const Scenario s = load_point(in, point);
  RunOptions options;
  options.out = staged.staged(result.folder);
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

}  // namespace

SweepReport run_sweep(const SweepInput& in, const SweepOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::size_t n = in.grid.size();
  SweepReport report;
  report.points = n;
  report.threads = thread_count(options.threads, n);
  const Scenario base = [&] {
    ProgressBar bar("checking", n, options.progress);
    return check_sweep(in, report.threads, [&bar] { bar.point_done(); });
  }();

  StagedOutput staged(options.out);
  std::vector<SweepPointResult> results(n);
  {
    ProgressBar bar("sweep", n, options.progress);
    parallel_for(n, report.threads, [&](std::size_t p) {
      results[p] = run_point(in, p, staged);
      bar.point_done();
    });
  }
  for (const auto& r : results) report.rows += r.strategies.size();
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  write_file(staged.staged("sweep.csv"), [&](std::ostream& f) { write_sweep_csv(f, in.grid, results); });
  write_file(staged.staged("sweep.json"), [&](std::ostream& f) {
    f << make_sweep_json(base, in, results, report.threads, report.wall_seconds).dump(2) << '\n';
  });
  staged.commit();
  return report;
}

}  // namespace jettison::sim
