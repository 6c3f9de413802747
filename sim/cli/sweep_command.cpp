#include "sim/cli/sweep_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include "common/input_error.hpp"
#include "sim/mpi/communicator.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/sweep/sweep_run.hpp"

namespace jettison::sim {

CLI::App* add_sweep_command(CLI::App& app, SweepArgs& args) {
  auto* sweep = app.add_subcommand("sweep",
                                   "run a scenario over the cartesian product of --grid values (the embedded "
                                   "default when no file is given)");
  sweep->add_option("scenario", args.scenario, "scenario YAML file");
  sweep
      ->add_option("--grid", args.grids,
                   "vary a value: key.path=v1,v2,... (YAML values; [a,b] is one value; repeatable)")
      ->required()
      ->allow_extra_args(false);
  sweep->add_option("--set", args.sets, "override a value in every point: key.path=value (repeatable)")
      ->allow_extra_args(false);
  sweep
      ->add_option(
          "--out", args.out,
          "output folder: sweep.csv, sweep.json, points/; replaced whole, an existing folder must be "
          "empty or an earlier output")
      ->required();
  sweep->add_option("--replicates", args.replicates,
                    "run every point K times, with seeds S, S+1, ..., S+K-1 (S: the scenario's seed); "
                    "sweep.csv gets one row per replicate, with its replicate and seed");
  sweep->add_option(
      "--threads", args.threads,
      "points simulated at once (default: one per core; under mpirun, per rank: the host's cores "
      "shared among its ranks)");
  sweep->add_flag("-q,--quiet", args.quiet, "print nothing but errors");
  return sweep;
}

int sweep_command(const SweepArgs& args, mpi::Communicator* world) {
  SweepInput in;
  in.scenario = args.scenario.empty() ? kDefaultScenario : args.scenario;
  in.sets = args.sets;
  in.grid = parse_grid(args.grids, args.sets);
  if (!args.replicates.empty()) {
    set_replicates(in.grid, args.replicates);
    const Scenario base = load_scenario(in.scenario, in.sets);
    if (!base.seed_draws) {
      throw InputError(
          "--replicates",
          fmt::format("the seed draws nothing in {}, so every replicate would be the same run: "
                      "generate its idle trace (idle_trace: {{generate: office, ...}}) or assign "
                      "page profiles at random (page_traces.assign: random)",
                      base.source));
    }
    in.grid.first_seed = base.seed;
  }
  SweepOptions options;
  options.out = args.out;
  options.threads = args.threads;
  options.progress = !args.quiet && ::isatty(STDERR_FILENO);
  options.world = world;
  const SweepReport report = run_sweep(in, options);
  if (world != nullptr && world->rank() != 0) return 0;
  if (!args.quiet) {
    fmt::print("sweep: {} points, {} rows, {:.1f} s on {} thread{}{}\n", report.points, report.rows,
               report.wall_seconds, report.threads, report.threads == 1 ? "" : "s",
               report.ranks > 1 ? fmt::format(" per rank, {} MPI ranks", report.ranks) : "");
    fmt::print("outputs in {}/: sweep.csv, sweep.json, points/\n", args.out);
  }
  return 0;
}

}  // namespace jettison::sim
