// jettison-sim: run, validate, sweep and list scenarios of the partial-migration simulator.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "common/input_error.hpp"
#include "common/version/version.hpp"
#include "policy/migration_triggers.hpp"
#include "policy/prefetchers.hpp"
#include "policy/resume_kinds.hpp"
#include "policy/sleep_schedulers.hpp"
#include "sim/cli/summary_table.hpp"
#include "sim/cli/sweep_command.hpp"
#include "sim/embedded/default_scenario_copy.hpp"
#include "sim/embedded/embedded_files.hpp"
#include "sim/model/page_state_gauge.hpp"
#include "sim/mpi/communicator.hpp"
#include "sim/mpi/distributed_run.hpp"
#include "sim/mpi/rank_failure.hpp"
#include "sim/network/sharing_solver.hpp"
#include "sim/run/run_scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/strategy/strategies.hpp"

namespace {

using namespace jettison;
using namespace jettison::sim;

constexpr int kInputErrorExit = 2;

int run_command(const std::string& file, const std::vector<std::string>& sets, const std::string& out,
                bool quiet, unsigned threads, mpi::Communicator* world, bool page_state_peak) {
  const auto load = [&] { return load_scenario(file.empty() ? kDefaultScenario : file, sets); };
  const auto out_of = [&](const Scenario& s) {
    return out.empty() ? std::filesystem::path("results") / s.name : std::filesystem::path(out);
  };
  RunOptions options;
  options.progress = !quiet && ::isatty(STDERR_FILENO);
  options.threads = threads;
  std::optional<Scenario> loaded;
  RunReport report;
  if (world != nullptr && world->size() > 1) {  // under mpirun: sim/mpi/distributed_run.hpp
    mpi::RankRun ranked = mpi::run_on_ranks(load, out_of, options, *world);
    if (world->rank() != 0) return 0;
    loaded = std::move(ranked.scenario);
    report = std::move(ranked.report);
  } else {
    loaded = load();
    options.out = out_of(*loaded);
    report = run_scenario(*loaded, options);
  }
  const Scenario& s = *loaded;
  if (page_state_peak)
    fmt::print(stderr, "page state of hosted VMs: peak {} bytes\n", PageStateGauge::peak());
  if (!quiet) {
    if (report.plan.shardable)
      fmt::print(stderr, "desktops in {} shard(s) per strategy: they share no link and no server capacity\n",
                 report.plan.shards);
    else
      fmt::print(stderr, "one engine per strategy, strategies in parallel: {}\n", report.plan.serial_reason);
    print_summary_table(stdout, s, report);
    fmt::print(
        "outputs in {}/: summary.json, periods.csv, desktops.csv, timeline.csv, links.csv, servers.csv, "
        "scenario.yaml\n",
        report.out.string());
  }
  return 0;
}

int validate_command(const std::string& file, const std::vector<std::string>& sets, bool quiet) {
  const Scenario s = load_scenario(file, sets);
  if (!quiet) {
    fmt::print(
        "{}: scenario '{}' is valid: {} desktops, {} idle periods in {} ({}), {} page profiles, "
        "strategies: {}\n",
        file, s.name, s.desktops.size(), s.idle_trace.periods, s.idle_trace.path,
        s.idle_trace.sorted_by_start ? "streamed" : "unsorted: buffered", s.profiles.size(),
        fmt::join(s.strategies, ", "));
  }
  return 0;
}

// One section of `list`: a heading, then each entry's name and description.
template <class Registry>
void list_section(std::string_view heading, const Registry& registry) {
  fmt::print("{}:\n", heading);
  for (const auto& e : registry.entries()) fmt::print("  {:<18} {}\n", e.name, e.description);
}

void list_command() {
  list_section("strategies", strategies());
  list_section("sleep rules (policy.sleep.rule)", policy::sleep_schedulers());
  list_section("prefetch rules (policy.prefetch.rule)", policy::prefetchers());
  list_section("resume for pages (policy.resume.pages)", policy::resume_kinds());
  list_section("migration triggers (policy.trigger.rule)", policy::migration_triggers());
  list_section("bandwidth sharing solvers (network.solver)", net::sharing_solvers());
  fmt::print("embedded files:\n");
  for (auto name : embedded_file_names()) fmt::print("  {}\n", name);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"jettison-sim: simulate partial VM migration of idle desktops and compare strategies"};
  app.set_version_flag("--version", version_line("jettison-sim"));
  app.require_subcommand(1);
  std::vector<std::string> sets;
  std::string file, out;
  bool quiet = false;
  unsigned threads = 0;

  auto* run = app.add_subcommand("run", "run a scenario (the embedded default when no file is given)");
  run->add_option("scenario", file, "scenario YAML file");
  run->add_option("--set", sets, "override a value: key.path=value (repeatable)");
  run->add_option("--out", out,
                  "output folder (default: results/<scenario name>), replaced whole; an existing folder must "
                  "be empty or an earlier output (summary.json or sweep.json)");
  run->add_option("--threads", threads,
                  "threads: shards of each strategy where desktops do not interact, else strategies at once "
                  "(default: one per core)");
  run->add_flag("-q,--quiet", quiet, "print nothing but errors");
  bool page_state_peak = false;
  run->add_flag(
      "--page-state-peak", page_state_peak,
      "benchmarks: at the end, print on stderr the most bytes this process held at once as page "
      "state of hosted VMs (partial's windows and page flags; bench/memory_slope.sh), even with -q");

  auto* validate = app.add_subcommand("validate", "check a scenario and its traces without running it");
  validate->add_option("scenario", file, "scenario YAML file")->required();
  validate->add_option("--set", sets, "override a value: key.path=value (repeatable)");
  validate->add_flag("-q,--quiet", quiet, "print nothing but errors");

  SweepArgs sweep_args;
  auto* sweep = add_sweep_command(app, sweep_args);

  auto* list = app.add_subcommand("list", "list strategies, policy rules, solvers and embedded files");
  auto* show = app.add_subcommand(
      "show-default",
      "print the embedded default scenario, its trace paths as embedded: names (runs from any folder)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kInputErrorExit;
  }
  // Started by mpirun/srun: this process is one rank of an MPI job (sim/mpi/). Every rank runs the
  // same command; rank 0 writes the outputs and reports errors. Without a launcher, MPI is untouched.
  std::unique_ptr<mpi::Communicator> world;
  const mpi::LaunchEnv launch = mpi::detect_launch();
  try {
    if (launch.launched) world = mpi::open_world(launch);
  } catch (const std::exception& e) {
    if (launch.rank == 0) fmt::print(stderr, "jettison-sim: error: {}\n", e.what());
    return 1;
  }
  // An error outside the ranks' protocol: the same on every rank (a bad flag), reported by rank 0;
  // an unexpected one while ranks wait on each other ends the whole job.
  const auto failed = [&world](const std::exception& e, int code, bool same_on_every_rank) {
    const bool ranks = world != nullptr && world->size() > 1;
    if (!ranks || world->rank() == 0 || !same_on_every_rank)
      fmt::print(stderr, "jettison-sim: error: {}{}\n",
                 ranks && !same_on_every_rank ? fmt::format("rank {}: ", world->rank()) : "", e.what());
    if (ranks && !same_on_every_rank) world->abort(code);
    return code;
  };
  try {
    if (*run) return run_command(file, sets, out, quiet, threads, world.get(), page_state_peak);
    if (*validate) return validate_command(file, sets, quiet);
    if (*sweep) return sweep_command(sweep_args, world.get());
    if (*list) list_command();
    if (*show) std::cout << default_scenario_copy();
    return 0;
  } catch (const mpi::QuietExit& e) {
    return e.code;  // rank 0 reports
  } catch (const mpi::RankFailure& e) {
    fmt::print(stderr, "jettison-sim: error: {}\n", e.what());
    return e.code();
  } catch (const InputError& e) {
    return failed(e, kInputErrorExit, true);
  } catch (const std::exception& e) {
    return failed(e, 1, false);
  }
}
