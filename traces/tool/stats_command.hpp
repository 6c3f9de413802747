// `jettison-trace stats FILE`: figures of an idle-period or page-access trace (told apart by its
// header), as plain text or, with --json, as one JSON object. See stats_idle.hpp, stats_pages.hpp.
#pragma once

#include <CLI/CLI.hpp>

namespace jettison::traces {

void add_stats_command(CLI::App& app);

}  // namespace jettison::traces
