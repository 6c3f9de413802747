#include "traces/tool/import_command.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "common/input_error.hpp"
#include "traces/io/input_stream.hpp"
#include "traces/tool/import_activity.hpp"
#include "traces/tool/import_events.hpp"
#include "traces/tool/import_time.hpp"
#include "traces/tool/trace_output.hpp"

namespace jettison::traces {
namespace {

struct ImportArgs {
  std::string file, out, threshold = "5min", end, origin;
};

using Importer = ImportResult (*)(std::unique_ptr<std::istream>, const std::string&, const ImportOptions&,
                                  std::ostream&);

void add_importer(CLI::App& import, const char* name, const char* help, Importer importer) {
  auto a = std::make_shared<ImportArgs>();
  auto* cmd = import.add_subcommand(name, help);
  cmd->add_option("file", a->file, "the input (plain, .gz or .zst)")->required();
  cmd->add_option("--out", a->out, "output idle-period trace; written whole or not at all")->required();
  cmd->add_option("--threshold", a->threshold, "inactivity of at least this long is an idle period")
      ->capture_default_str();
  cmd->add_option("--end", a->end,
                  "the trace end, a time as the rows' times are written (default: see traces/README.md)");
  cmd->add_option("--origin", a->origin,
                  "the trace's t = 0, a local midnight with its UTC offset (2026-03-02T00:00+01:00): the "
                  "times are then ISO 8601 date-times with a zone or Unix epoch seconds, and stats follows "
                  "the calendar (written to OUT.origin)");
  cmd->callback([a, importer] {
    const ImportOptions options = parse_import_options(a->threshold, a->end, a->origin);
    TraceOutput file(a->out);
    const ImportResult r = importer(open_trace_file(a->file, "FILE"), a->file, options, file.out());
    // The calendar origin beside the trace (traces/FORMAT.md); a stale one from an earlier import
    // without --origin would put the new trace in the wrong calendar, so it goes.
    const std::string origin_path = origin_file_of(a->out);
    std::optional<TraceOutput> origin_file;
    if (options.origin) {
      origin_file.emplace(origin_path);
      origin_file->out() << options.origin->text << "\n";
    }
    file.commit();
    if (origin_file) {
      origin_file->commit();
    } else {
      std::error_code ec;
      std::filesystem::remove(origin_path, ec);
    }
    fmt::print(stderr, "{}: {} idle periods of {} machines from {} rows\n", a->out, r.periods, r.machines,
               r.rows);
  });
}

}  // namespace

void add_import_command(CLI::App& app) {
  auto* import = app.add_subcommand("import", "idle periods from external activity data");
  import->require_subcommand(1);
  add_importer(*import, "activity",
               "per-second 0/1 activity columns (time,m1,m2,...; 1 = user active) -> idle periods",
               import_activity);
  add_importer(*import, "events", "input-event log (time,machine rows, sorted by time) -> idle periods",
               import_events);
}

}  // namespace jettison::traces
