#include "sim/sweep/sweep_run.hpp"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <stdexcept>

#include "sim/mpi/communicator.hpp"
#include "sim/output/staged_output.hpp"
#include "sim/sweep/distributed_sweep.hpp"
#include "sim/sweep/parallel_for.hpp"
#include "sim/sweep/progress_bar.hpp"
#include "sim/sweep/sweep_csv.hpp"
#include "sim/sweep/sweep_json.hpp"
#include "sim/sweep/sweep_point.hpp"

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

}  // namespace

SweepReport run_sweep(const SweepInput& in, const SweepOptions& options) {
  if (options.world != nullptr && options.world->size() > 1)
    return run_sweep_on_ranks(in, options, *options.world);
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
      results[p] = run_point(in, p, staged.staged(point_path(in.grid, p)));
      bar.point_done();
    });
  }
  for (const auto& r : results) report.rows += r.strategies.size();
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  write_sweep_files(staged, base, in, results, report);
  staged.commit();
  return report;
}

void write_sweep_files(const StagedOutput& staged, const Scenario& base, const SweepInput& in,
                       const std::vector<SweepPointResult>& results, const SweepReport& report) {
  write_file(staged.staged("sweep.csv"), [&](std::ostream& f) { write_sweep_csv(f, in.grid, results); });
  write_file(staged.staged("sweep.json"), [&](std::ostream& f) {
    f << make_sweep_json(base, in, results, report.threads, report.wall_seconds, report.ranks).dump(2)
      << '\n';
  });
}

}  // namespace jettison::sim
