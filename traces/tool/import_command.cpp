#include "traces/tool/import_command.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "common/input_error.hpp"
#include "traces/io/input_stream.hpp"
#include "traces/tool/import_activity.hpp"
#include "traces/tool/import_events.hpp"
#include "traces/tool/trace_output.hpp"

namespace jettison::traces {
namespace {

struct ImportArgs {
  std::string file, out, threshold = "5min", end;
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
  cmd->add_option("--end", a->end, "the trace end in seconds (default: see traces/README.md)");
  cmd->callback([a, importer] {
    const ImportOptions options = parse_import_options(a->threshold, a->end);
    TraceOutput file(a->out);
    const ImportResult r = importer(open_trace_file(a->file, "FILE"), a->file, options, file.out());
    file.commit();
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
