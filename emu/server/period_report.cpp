#include "emu/server/period_report.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "traces/io/csv_writer.hpp"

namespace jettison::emu {
namespace {

double micros(std::chrono::nanoseconds ns) { return static_cast<double>(ns.count()) / 1000.0; }

void write_whole(const std::filesystem::path& path, const std::string& text) {
  const auto tmp = path.parent_path() / fmt::format(".{}.tmp-{}", path.filename().string(), ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw std::runtime_error(fmt::format("cannot write '{}'", tmp.string()));
    }
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace

void print_period(std::FILE* out, const HostedPeriod& p, const std::string& sleep_rule, bool write_back) {
  const FetchStats& s = p.stats;
  fmt::print(out, "period {} ({}): {}\n", p.epoch - 1, p.epoch, p.ended_because);
  fmt::print(out,
             "faults {} (+{} duplicate, {} write-protect); pages {} ({} demand, {} prefetched, {} zero)\n",
             s.faults, s.duplicate_faults, s.wp_faults, s.pages_fetched(), s.demand_pages, s.prefetched_pages,
             s.zero_pages);
  fmt::print(out, "fault latency p50 {:.1f} us, p99 {:.1f} us ({} samples); p90 {:.1f} us\n",
             micros(percentile(p.latencies, 0.5)), micros(percentile(p.latencies, 0.99)), s.latency_samples,
             micros(percentile(p.latencies, 0.9)));
  fmt::print(out, "wake-ups {} ; network {} bytes\n", p.period.wakeups, p.period.network.count());
  if (p.sleep)
    fmt::print(out, "sleep rule {}: {} decisions, {} sleeps, {} followed by a fault, {} wakes\n", sleep_rule,
               p.sleep->decisions, p.sleep->sleeps, p.sleep->sleeps_then_fault, p.sleep->wakes);
  if (p.sleep_mismatch) fmt::print(out, "note: wake-ups vs sleep decisions: {}\n", *p.sleep_mismatch);
  fmt::print(out,
             "device state: {} bytes in, {} bytes out; guest running here {:.3f} s after the state came\n",
             p.state_in.count(), p.state_out.count(), p.migrate_in.seconds_f());
  fmt::print(out, "dirty pages {}\n", p.dirty.size());
  if (p.write_back)
    fmt::print(out, "write-back: {} pages, {} bytes in {:.1f} ms ({} attempts, image generation {})\n",
               p.write_back->pages, p.write_back->bytes.count(),
               static_cast<double>(p.write_back->elapsed.us()) / 1000.0, p.write_back->attempts,
               p.write_back->generation);
  if (p.verified_pages)
    fmt::print(out, "write-back verified: {} pages read back from the desktop equal this side's\n",
               *p.verified_pages);
  if (!p.write_back)
    fmt::print(out, "write-back: none ({})\n",
               !write_back       ? "--no-write-back"
               : p.dirty.empty() ? "nothing dirty"
                                 : "failed");
  fmt::print(out, "reintegration {:.3f} s\n", p.reintegration.seconds_f());
  std::fflush(out);
}

void write_period_files(const std::filesystem::path& dir, std::span<const HostedPeriod> periods) {
  std::filesystem::create_directories(dir);
  std::ostringstream rows;
  write_period_header(rows);
  for (const HostedPeriod& p : periods) {
    write_period_row(rows, p.period);
    std::ostringstream trace;
    traces::PageCsvWriter writer(trace);
    for (const traces::PageRow& r : p.trace) writer.write(r);
    writer.finish();
    write_whole(dir / fmt::format("pages-{}.csv", p.epoch), trace.str());
  }
  write_whole(dir / "periods.csv", rows.str());
}

}  // namespace jettison::emu
