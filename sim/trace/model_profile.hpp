// A page-access profile drawn from a fitted page model (traces/FORMAT.md, "Page model") instead of
// read from a trace file: `page_traces.profiles[].model` in a scenario. The draw is the one
// `jettison-trace generate pages --model` makes, from a seed the scenario's seed and the profile's
// name fix, so a run is deterministic and each profile gets its own draw.
#pragma once

#include <cstdint>
#include <string>

#include "sim/trace/page_profile.hpp"
#include "traces/gen/page_model.hpp"

namespace jettison::sim {

using traces::PageModel;

// Reads and checks the model file at `path` (on disk, or an `embedded:` name); `origin` names the
// scenario key that named it (a missing file). Errors in the model name the model file, line and key.
PageModel read_page_model_file(const std::string& path, const std::string& origin);

// The seed of a model profile's draw: fixed by the scenario's seed and the profile's name.
std::uint64_t model_profile_seed(std::uint64_t scenario_seed, const std::string& profile_name);

// Draws `length_us` of accesses from the model (its own VM size and page size) as a profile whose
// `source` is `source` and whose every page names line `line` (the scenario's `model:` key: an error
// about a drawn page points there). The profile's cycle is `length_us`.
PageProfile draw_model_profile(const PageModel& model, std::uint64_t seed, std::int64_t length_us,
                               const std::string& source, std::uint64_t line);

}  // namespace jettison::sim
