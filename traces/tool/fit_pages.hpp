// `jettison-trace fit pages TRACE... --out model.yaml`: a page model (page_model.hpp) estimated from
// one or more page traces of idle VMs, each read from its time 0 = the VM's resume on the server
// (after removing --shift). See traces/README.md, "Fitted page models".
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "traces/gen/page_model.hpp"

namespace jettison::traces {

struct FitPagesArgs {
  std::vector<std::string> traces;
  std::string shift = "0s";              // removed from every trace's times
  std::optional<std::string> vm_memory;  // default: the highest page + 1, rounded up to a power of two
  std::string page_size = "4KiB";
  std::string batch_split = "10ms";
  std::size_t points = 2000;  // U(t) samples a trace
};

// Reads the traces (errors name file and line: any bad row, an access before the shift, a page
// beyond vm_memory, a trace without accesses) and fits the model.
PageModel fit_pages(const FitPagesArgs& args);

// Adds the `fit` command with its `pages` subcommand.
void add_fit_command(CLI::App& app);

}  // namespace jettison::traces
