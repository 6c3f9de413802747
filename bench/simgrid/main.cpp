// jettison-simgrid-sleep-only: the reference that scripts/bench.sh runs beside jettison-sim. It replays
// an idle trace through SimGrid (S4U): one actor per desktop living sleep-only's timeline with the
// default scenario's figures, one actor streaming the trace. It prints one JSON object: periods,
// skipped periods, events, the sleep-only energy (to compare with jettison-sim's summary.json) and the
// sleep fraction. Actor stacks are 256 KiB, allocated without guard pages (each guard page splits a
// memory mapping and Linux allows 65,530 mappings by default) and always mapped apart from the heap
// (a fixed malloc mmap threshold of 128 KiB, no limit on such mappings): only the pages an actor touches
// count in RSS. SimGrid allocates them zero-filled with calloc, which on the heap (glibc raises its mmap
// threshold dynamically) writes every page: 10,000 desktops measured 59 KiB each with 64 KiB stacks then.
#include <fmt/format.h>
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <exception>
#include <limits>
#include <nlohmann/json.hpp>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/NetZone.hpp>
#include <string>
#include <vector>

// After the S4U headers: it needs their xbt/base.h.
#include <simgrid/version.h>

#include "bench/simgrid/sleep_only_figures.hpp"
#include "bench/simgrid/trace_feeder.hpp"
#include "common/version/version.hpp"

int main(int argc, char** argv) {
  using namespace jettison;
  CLI::App app{
      "Replays an idle trace's sleep-only timeline through SimGrid actors (a reference for "
      "scripts/bench.sh)"};
  std::string trace;
  std::uint64_t max_desktops = std::numeric_limits<std::uint64_t>::max();
  unsigned stack_kib = 256;
  app.add_option("trace", trace, "idle trace (desktop,start,end; CSV or binary, plain, .gz or .zst)")
      ->required();
  app.add_option("--desktops", max_desktops, "the first N desktops of the trace (default: all)")
      ->check(CLI::PositiveNumber);
  app.add_option("--stack-kib", stack_kib, "each actor's stack, KiB")->check(CLI::Range(16u, 8192u));
  app.set_version_flag("--version", version_line("jettison-simgrid-sleep-only"));
  CLI11_PARSE(app, argc, argv);

  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  mallopt(M_MMAP_MAX, 1 << 24);  // glibc's default 65,536 mappings would put later stacks on the heap
  try {
    const bench::SleepOnlyFigures figures = bench::default_sleep_only_figures();
    std::vector<std::string> sg_args{argv[0], fmt::format("--cfg=contexts/stack-size:{}", stack_kib),
                                     "--cfg=contexts/guard-size:0", "--log=root.thres:warning"};
    std::vector<char*> sg_argv;
    for (std::string& a : sg_args) sg_argv.push_back(a.data());
    sg_argv.push_back(nullptr);
    int sg_argc = static_cast<int>(sg_args.size());
    simgrid::s4u::Engine engine(&sg_argc, sg_argv.data());
    simgrid::s4u::NetZone* zone = simgrid::s4u::create_full_zone("office");
    simgrid::s4u::Host* host = zone->create_host("desktops", 1e9);
    zone->seal();

    bench::SleepOnlyTally tally;
    bench::TraceFeeder feeder(trace, max_desktops, figures, tally, host);
    simgrid::s4u::Actor::create("trace", host, [&feeder] { feeder.run(); });
    engine.run();
    if (!feeder.error().empty()) {
      fmt::print(stderr, "jettison-simgrid-sleep-only: {}\n", feeder.error());
      return 1;
    }
    const double window_s = tally.window.seconds_f();
    nlohmann::ordered_json out = {
        {"engine", SIMGRID_VERSION_STRING},
        {"strategy", "sleep-only"},
        {"desktops", feeder.desktops()},
        {"periods", tally.periods},
        {"skipped_periods", tally.skipped_periods},
        {"events", tally.events},
        {"energy_kwh", tally.energy.kwh()},
        {"sleep_fraction", window_s > 0 ? tally.asleep.seconds_f() / window_s : 0.0},
        {"simulated_seconds", simgrid::s4u::Engine::get_clock()},
    };
    fmt::print("{}\n", out.dump());
  } catch (const std::exception& e) {
    fmt::print(stderr, "jettison-simgrid-sleep-only: {}\n", e.what());
    return 1;
  }
  return 0;
}
