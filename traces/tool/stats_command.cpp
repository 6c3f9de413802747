#include "traces/tool/stats_command.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "common/input_error.hpp"
#include "common/units.hpp"
#include "traces/io/input_stream.hpp"
#include "traces/tool/row_errors.hpp"
#include "traces/tool/stats_idle.hpp"
#include "traces/tool/stats_pages.hpp"

namespace jettison::traces {
namespace {

struct StatsArgs {
  std::string file;
  bool json = false;
  std::optional<std::int64_t> days;
  std::string bucket = "10min";
  std::string page_size = "4KiB";
  std::string origin;
};

void run_stats(const StatsArgs& a) {
  const TraceFormat format = detect_trace_format(a.file, "FILE");
  std::string text;
  if (format.kind == TraceKind::idle) {
    if (a.days && *a.days < 1) throw InputError("--days", "must be at least 1");
    // The calendar: --origin, else the trace's origin file (import --origin writes it), else none.
    const std::optional<TraceOrigin> origin =
        a.origin.empty() ? read_origin_file(a.file) : parse_origin(a.origin);
    IdleTraceReader reader(open_trace_file(a.file, "FILE"), a.file);
    const IdleStats s = idle_stats(reader, a.days, origin);
    text = a.json ? idle_stats_json(s, a.file) : idle_stats_text(s, a.file);
  } else {
    std::int64_t bucket_us = 0;
    std::uint64_t page_bytes = 0;
    try {
      bucket_us = parse_duration(a.bucket).us();
    } catch (const UnitError& e) {
      throw InputError("--bucket", e.what());
    }
    if (bucket_us <= 0) throw InputError("--bucket", "must be longer than 0 s");
    try {
      page_bytes = static_cast<std::uint64_t>(parse_bytes(a.page_size).count());
    } catch (const UnitError& e) {
      throw InputError("--page-size", e.what());
    }
    if (page_bytes == 0) throw InputError("--page-size", "must be at least 1 B");
    PageTraceReader reader(open_trace_file(a.file, "FILE"), a.file);
    const PageStats s = page_stats(reader, bucket_us);
    text = a.json ? page_stats_json(s, a.file) : page_stats_text(s, a.file, page_bytes);
  }
  std::fputs(text.c_str(), stdout);
}

}  // namespace

void add_stats_command(CLI::App& app) {
  auto a = std::make_shared<StatsArgs>();
  auto* cmd = app.add_subcommand("stats",
                                 fmt::format("figures of an idle-period or page-access trace (CSV or binary, "
                                             "plain, .gz or .zst); a trace with errors gets all of them, "
                                             "in file order (the first {}), and exit code 2",
                                             kShownRowErrors));
  cmd->add_option("file", a->file, "the trace")->required();
  cmd->add_flag("--json", a->json, "print one JSON object instead of text");
  cmd->add_option("--days", a->days,
                  "idle traces: days the per-day figures divide by "
                  "(default: the last end rounded up to whole days)");
  cmd->add_option("--bucket", a->bucket,
                  fmt::format("page traces: width of the unique-pages-over-time buckets; widened by the "
                              "smallest whole factor that fits the trace in {} buckets (the output says so)",
                              kMaxBuckets))
      ->capture_default_str();
  cmd->add_option(
      "--origin", a->origin,
      "idle traces: the date and UTC offset of t = 0 (2026-03-02T00:00+01:00), for the weekday and "
      "hour figures (default: FILE.origin when there is one, else day 0 is a Monday)");
  cmd->add_option("--page-size", a->page_size, "page traces: bytes a page, for the memory figure")
      ->capture_default_str();
  cmd->callback([a] { run_stats(*a); });
}

}  // namespace jettison::traces
