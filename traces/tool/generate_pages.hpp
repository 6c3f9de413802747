// `jettison-trace generate pages`: the page accesses of an idle VM during one idle period, written as
// a page-access profile: from a built-in profile (idle_vm_model.hpp) or from a fitted page model
// (--model, page_model_generator.hpp).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace jettison::traces {

struct GeneratePagesArgs {
  std::string profile = "windows";
  double hours = 2.0;
  std::uint64_t seed = 1;
  std::vector<std::string> params;  // name=value
  std::string model;                // a fitted page model (YAML); replaces the profile
  std::string vm_memory;            // with a model: overrides its vm_memory
};

struct GeneratePagesResult {
  std::uint64_t accesses = 0;
  std::uint64_t unique_pages = 0;
  std::uint64_t vm_pages = 0;
  std::optional<std::int64_t> full_at_us;  // a model's VM ran out of pages then
  // A model's unique pages after 60 s, 600 s, 1 h and 10 h (those within the length).
  std::vector<std::pair<std::int64_t, std::uint64_t>> unique_by;
};

// Writes the profile to `out`, drawn from RandomStream(seed, "pages:<profile>"), or from the model
// (page_model_generator.hpp). Throws InputError for an unknown profile, a bad length, bad parameters
// or a bad model file.
GeneratePagesResult generate_pages(const GeneratePagesArgs& args, std::ostream& out);

// Adds `pages` under the `generate` command.
void add_generate_pages_command(CLI::App& generate);

}  // namespace jettison::traces
