// `jettison-trace generate pages`: the page accesses of an idle VM during one idle period
// (idle_vm_model.hpp), written as a page-access profile.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace jettison::traces {

struct GeneratePagesArgs {
  std::string profile = "windows";
  double hours = 2.0;
  std::uint64_t seed = 1;
  std::vector<std::string> params;  // name=value
};

struct GeneratePagesResult {
  std::uint64_t accesses = 0;
};

// Writes the profile to `out`, drawn from RandomStream(seed, "pages:<profile>"). Throws InputError
// for an unknown profile, a bad length or bad parameters.
GeneratePagesResult generate_pages(const GeneratePagesArgs& args, std::ostream& out);

// Adds `pages` under the `generate` command.
void add_generate_pages_command(CLI::App& generate);

}  // namespace jettison::traces
