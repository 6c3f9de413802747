// `idle_trace:` in a scenario: a file name (relative to the scenario's file), or a model to draw
// the trace from with the scenario's seed: {generate: office, desktops: N, days: D, params: {name:
// value, ...}} (sim/trace/generated_idle_trace.hpp; the parameters are `jettison-trace generate idle
// --list-params`'). Errors name the file, line and key.
#pragma once

#include <cstdint>

#include "sim/scenario/yaml_node.hpp"
#include "sim/trace/idle_trace.hpp"

namespace jettison::sim {

// The trace `node` names or describes; `generated` is set when it was drawn from a model.
IdleTraceIndex read_idle_trace(const YamlNode& node, std::uint64_t seed, bool& generated);

}  // namespace jettison::sim
