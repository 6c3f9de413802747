#include "sim/run/run_scenario.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <mutex>
#include <thread>

#include "sim/output/desktop_csv.hpp"
#include "sim/output/network_csv.hpp"
#include "sim/output/period_csv.hpp"
#include "sim/output/staged_output.hpp"
#include "sim/output/summary_json.hpp"

namespace jettison::sim {
namespace {

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

void open_or_fail(std::ofstream& f, const std::filesystem::path& p) {
  f.open(p, std::ios::binary | std::ios::trunc);
  if (!f) throw std::runtime_error(fmt::format("cannot write '{}'", p.string()));
}

void close_or_fail(std::ofstream& f, const std::filesystem::path& p) {
  f.close();
  if (!f) throw std::runtime_error(fmt::format("error writing '{}' (disk full?)", p.string()));
}

// Joins NAME.<i>.part (i < n) under a header into NAME.csv, removing the parts.
void join_parts(const StagedOutput& staged, const std::string& name, std::size_t n,
                void (*header)(std::ostream&)) {
  std::ofstream joined;
  const auto path = staged.staged(name + ".csv");
  open_or_fail(joined, path);
  header(joined);
  for (std::size_t i = 0; i < n; ++i) {
    const auto part_path = staged.staged(fmt::format("{}.{}.part", name, i));
    if (std::filesystem::file_size(part_path) > 0) {  // streaming an empty buffer sets failbit
      std::ifstream part(part_path, std::ios::binary);
      joined << part.rdbuf();
    }
    std::filesystem::remove(part_path);
  }
  close_or_fail(joined, path);
}

}  // namespace

RunReport run_scenario(const Scenario& s, const RunOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<StagedOutput> staged;
  if (!options.out.empty()) staged = std::make_unique<StagedOutput>(options.out);

  const std::size_t n = s.strategies.size();
  std::vector<std::optional<StrategyResult>> results(n);
  std::vector<std::exception_ptr> errors(n);
  ProgressLine progress(n);
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < n; i = next++) {
      try {
        std::ofstream part, timeline;
        const auto part_path =
            staged ? staged->staged(fmt::format("periods.{}.part", i)) : std::filesystem::path();
        const auto timeline_path =
            staged ? staged->staged(fmt::format("timeline.{}.part", i)) : std::filesystem::path();
        if (staged) {
          open_or_fail(part, part_path);
          open_or_fail(timeline, timeline_path);
        }
        Progress report;
        if (options.progress) report = [&progress, i](double f) { progress.update(i, f); };
        StrategyRun run(s, s.strategies[i], staged ? &part : nullptr, report);
        if (staged) run.write_timeline_to(&timeline);
        results[i] = run.run();
        if (staged) {
          close_or_fail(part, part_path);
          close_or_fail(timeline, timeline_path);
        }
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  unsigned threads = options.threads ? options.threads : std::max(1U, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, n));
  std::vector<std::thread> pool;
  for (unsigned k = 1; k < threads; ++k) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (options.progress) progress.end();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);

  RunReport report;
  for (auto& r : results) {
    report.events += r->events;
    report.results.push_back(std::move(*r));
  }
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!staged) return report;

  // periods.csv and timeline.csv: the strategies' parts in the scenario's order.
  join_parts(*staged, "periods", n, write_period_header);
  join_parts(*staged, "timeline", n, write_timeline_header);

  std::ofstream scenario;
  open_or_fail(scenario, staged->staged("scenario.yaml"));
  scenario << "# The scenario as run: " << s.source
           << ", with extends and --set applied; relative paths as written (relative to the file that wrote "
              "them).\n"
           << s.resolved_yaml;
  close_or_fail(scenario, staged->staged("scenario.yaml"));

  std::ofstream desktops;
  open_or_fail(desktops, staged->staged("desktops.csv"));
  write_desktops_csv(desktops, s, report.results);
  close_or_fail(desktops, staged->staged("desktops.csv"));

  std::ofstream links;
  open_or_fail(links, staged->staged("links.csv"));
  write_links_csv(links, report.results);
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
