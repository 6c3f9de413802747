// `jettison-trace import activity|events FILE --threshold 5min --out FILE [--end SECONDS]`: idle
// periods from external activity data (import_activity.hpp, import_events.hpp).
#pragma once

#include <CLI/CLI.hpp>

namespace jettison::traces {

void add_import_command(CLI::App& app);

}  // namespace jettison::traces
