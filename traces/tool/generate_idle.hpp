// `jettison-trace generate idle`: idle periods of N office desktops over D days (office_model.hpp),
// written as an idle-period trace sorted by start.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace jettison::traces {

struct GenerateIdleArgs {
  std::uint32_t desktops = 20;
  std::uint32_t days = 7;
  std::uint64_t seed = 1;
  std::vector<std::string> params;  // name=value
};

struct GenerateIdleResult {
  std::uint64_t periods = 0;
};

// Writes the trace to `out` (header, then rows sorted by start, ties by desktop index). Desktop i is
// named d<i> zero-padded to at least 2 digits and draws from RandomStream(seed, "idle:<i>") only, so
// adding desktops leaves the others' periods unchanged. Throws InputError for bad parameters.
GenerateIdleResult generate_idle(const GenerateIdleArgs& args, std::ostream& out);

// Adds `idle` under the `generate` command.
void add_generate_idle_command(CLI::App& generate);

}  // namespace jettison::traces
