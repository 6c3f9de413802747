#include "sim/run/run_scenario.hpp"

#include <fmt/format.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "sim/output/desktop_csv.hpp"
#include "sim/output/network_csv.hpp"
#include "sim/output/output_estimate.hpp"
#include "sim/output/period_csv.hpp"
#include "sim/output/run_files.hpp"
#include "sim/output/staged_output.hpp"
#include "sim/output/summary_json.hpp"
#include "sim/run/sharded_run.hpp"
#include "sim/strategy/strategy.hpp"

namespace jettison::sim {
namespace {

// scenario.yaml: the scenario as run.
std::string scenario_yaml_text(const Scenario& s) {
  return "# The scenario as run: " + s.source +
         ", with extends and --set applied; relative paths as written (relative to the file that wrote "
         "them).\n" +
         s.resolved_yaml;
}

// Progress of several strategy runs on one stderr line.
class ProgressLine {
 public:
  explicit ProgressLine(std::size_t runs) : done_(runs) {}
  void update(std::size_t run, double fraction) {
    std::lock_guard lock(mu_);
    done_[run] = fraction;
    double sum = 0;
    for (double d : done_) sum += d;
    std::fprintf(stderr, "\rsimulating: %5.1f%%", 100.0 * sum / static_cast<double>(done_.size()));
    std::fflush(stderr);
  }
  void end() { std::fprintf(stderr, "\r%30s\r", ""); }

 private:
  std::mutex mu_;
  std::vector<double> done_;
};

// What the output files would hold, the same bytes as the files below write (but uncompressed).
void fill_texts(RunTexts& texts, const Scenario& s, const RunReport& report,
                const std::vector<std::string>& periods, const std::vector<std::string>& timeline) {
  texts = RunTexts{};
  if (s.output.periods != PeriodsOutput::kNone) {
    texts.periods = period_header();
    for (const std::string& part : periods) texts.periods += part;
  }
  texts.timeline = timeline_header();
  for (const std::string& part : timeline) texts.timeline += part;
  texts.scenario = scenario_yaml_text(s);
  std::ostringstream desktops, links, servers;
  write_desktops_csv(desktops, s, report.results);
  write_links_csv(links, *s.network.graph, report.results);
  write_servers_csv(servers, report.results);
  texts.desktops = std::move(desktops).str();
  texts.links = std::move(links).str();
  texts.servers = std::move(servers).str();
  texts.summary = make_summary(s, report.results, report.wall_seconds).dump(2) + '\n';
}

}  // namespace

RunReport run_scenario(const Scenario& s, const RunOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
#if defined(__GLIBC__)
  // Loading the scenario freed its temporaries (YAML, the topology's spec with a link's names per
  // desktop, trace rows): glibc keeps such small blocks mapped, and the runs' large arrays do not
  // reuse them (~190 bytes a desktop of peak RSS on the office traces). Give them back first.
  malloc_trim(0);
#endif
  std::unique_ptr<StagedOutput> staged;
  RunTexts* const texts = options.out.empty() ? options.texts : nullptr;
  if (!options.out.empty()) {
    check_output_budget(s);  // before anything is written
    staged = std::make_unique<StagedOutput>(options.out);
  }
  const bool periods_wanted = s.output.periods != PeriodsOutput::kNone;

  // Threads: shards of one strategy where its desktops do not interact (strategies one after
  // another then, or a few at once when there are more threads than shards); else strategies at once.
  const unsigned wanted =
      options.threads ? options.threads : std::max(1U, std::thread::hardware_concurrency());
  const ShardPlan plan = plan_shards(s, options.shards ? options.shards : wanted);
  const std::size_t n = s.strategies.size();
  std::vector<std::optional<StrategyResult>> results(n);
  std::vector<std::exception_ptr> errors(n);
  std::vector<std::string> period_texts(texts ? n : 0), timeline_texts(texts ? n : 0);
  ProgressLine progress(n);
  // Strategies at once (not shardable): the ones that replay page accesses (partial, hybrid: those
  // with a prefetcher) take far longer than the others, so they start first and the others run
  // beside them on the other threads instead of before them. Sharded strategies run one after
  // another in the scenario's order: under MPI every rank takes part in each strategy's shards in
  // that order. Results and files stay in the scenario's order either way.
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  if (!plan.shardable)
    std::stable_partition(order.begin(), order.end(), [&](std::size_t i) {
      return strategies().find(s.strategies[i])->make()->policies().prefetch;
    });
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t k = next++; k < n; k = next++) {
      const std::size_t i = order[k];
      try {
        std::optional<OutputFile> part, timeline;
        if (staged && periods_wanted)
          part.emplace(part_path(*staged, "periods", i), compression_of(s.output.periods));
        if (staged) timeline.emplace(part_path(*staged, "timeline", i));
        if (texts) {  // in memory (OutputFile's default constructor)
          if (periods_wanted) part.emplace();
          timeline.emplace();
        }
        Progress report;
        if (options.progress) report = [&progress, i](double f) { progress.update(i, f); };
        if (plan.shardable) {
          OutputFile* periods_file = part ? &*part : nullptr;
          OutputFile* timeline_file = timeline ? &*timeline : nullptr;
          results[i] =
              options.sharded_runner
                  ? options.sharded_runner(s.strategies[i], plan, periods_file, timeline_file, report)
                  : run_sharded(s, s.strategies[i], plan, periods_file, timeline_file, report);
        } else {
          StrategyRun run(s, s.strategies[i], part ? &*part : nullptr, report);
          if (timeline) run.write_timeline_to(&*timeline);
          results[i] = run.run();
        }
        if (part) part->close();
        if (timeline) timeline->close();
        if (staged) {
          // This strategy's desktops.csv rows now, then its per-desktop totals go (96 bytes a desktop
          // each): a run of several strategies holds one strategy's desktops at a time, not all.
          const auto rows = part_path(*staged, "desktops", i);
          std::ofstream f;
          open_or_fail(f, rows);
          write_desktop_rows(f, s, *results[i]);
          close_or_fail(f, rows);
          std::vector<DesktopTotals>().swap(results[i]->totals.per_desktop);
        }
        if (texts) {
          if (part) period_texts[i] = part->take_text();
          timeline_texts[i] = timeline->take_text();
        }
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  unsigned threads = plan.shardable ? std::max(1U, wanted / plan.shards) : wanted;
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, n));
  std::vector<std::thread> pool;
  for (unsigned k = 1; k < threads; ++k) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (options.progress) progress.end();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);

  RunReport report;
  report.plan = plan;
  for (auto& r : results) {
    report.events += r->events;
    report.results.push_back(std::move(*r));
  }
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (texts) {
    fill_texts(*texts, s, report, period_texts, timeline_texts);
    return report;
  }
  if (!staged) return report;

  // periods.csv (or .csv.zst) and timeline.csv: the strategies' parts in the scenario's order.
  if (periods_wanted) {
    join_parts(*staged, "periods", n, period_header(), periods_file_name(s.output.periods),
               compression_of(s.output.periods));
  }
  join_parts(*staged, "timeline", n, timeline_header(), "timeline.csv", Compression::kNone);

  std::ofstream scenario;
  open_or_fail(scenario, staged->staged("scenario.yaml"));
  scenario << scenario_yaml_text(s);
  close_or_fail(scenario, staged->staged("scenario.yaml"));

  join_parts(*staged, "desktops", n, desktops_header(), "desktops.csv", Compression::kNone);

  std::ofstream links;
  open_or_fail(links, staged->staged("links.csv"));
  write_links_csv(links, *s.network.graph, report.results);
  close_or_fail(links, staged->staged("links.csv"));

  std::ofstream servers;
  open_or_fail(servers, staged->staged("servers.csv"));
  write_servers_csv(servers, report.results);
  close_or_fail(servers, staged->staged("servers.csv"));

  std::ofstream summary;
  open_or_fail(summary, staged->staged("summary.json"));
  summary << make_summary(s, report.results, report.wall_seconds).dump(2) << '\n';
  close_or_fail(summary, staged->staged("summary.json"));

  staged->commit();
  report.out = options.out;
  return report;
}

}  // namespace jettison::sim
