// `jettison-trace convert IN OUT [--to csv|binary] [--quiet]`: rewrites a trace between the CSV and
// the binary format (traces/FORMAT.md). The input's kind (idle periods or page accesses), format and
// compression come from its first bytes; the output format from --to or OUT's name (.csv, .jtrace,
// either optionally followed by .gz or .zst, which compresses it). Streamed row by row in constant
// memory; every input row is checked by the trace readers and the first bad one stops the command
// (exit 2, "file:line: ..."); OUT is written to a temporary file beside it and renamed into place
// only when the whole input converted, so a failure leaves no OUT and no temporary file.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace jettison::traces {

struct ConvertArgs {
  std::string in;
  std::string out;
  std::string to;  // "csv", "binary" or empty (from OUT's name)
  bool quiet = false;
};

struct ConvertResult {
  bool idle = true;  // idle-period trace (else page-access)
  bool binary_out = false;
  std::uint64_t rows = 0;
};

// Throws InputError for bad input (unreadable or invalid IN, unknown output format, unwritable OUT).
ConvertResult convert_trace(const ConvertArgs& args);

void add_convert_command(CLI::App& app);

}  // namespace jettison::traces
