// What `jettison-sim show-default` prints: the embedded default scenario, its file paths made
// `embedded:` names (common/config/input_file.hpp) so that a copy saved anywhere runs there
// (`jettison-sim show-default > my.yaml && jettison-sim run my.yaml`). On disk the default names its
// traces relative to scenarios/; a copy elsewhere would not find them.
#pragma once

#include <string>

namespace jettison::sim {

// The embedded scenarios/default.yaml, byte for byte but for the values of the keys that name files
// (idle_trace, page_traces.profiles[].file, extends): each relative path becomes the embedded file
// it names from scenarios/, e.g. ../traces/samples/office-idle.csv ->
// embedded:traces/samples/office-idle.csv. Comments and layout stay as they are.
std::string default_scenario_copy();

}  // namespace jettison::sim
