// Opens the files a scenario names, from disk or embedded: common/config/input_file.hpp, seen from
// the simulator.
#pragma once

#include "common/config/input_file.hpp"

namespace jettison::sim {

using config::input_exists;
using config::kEmbeddedPrefix;
using config::open_input;
using config::resolve_relative;

}  // namespace jettison::sim
