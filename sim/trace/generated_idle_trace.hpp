// An idle-period trace drawn from a model when the scenario is loaded (`idle_trace: {generate:
// office, desktops: N, days: D, params: {...}}`) instead of read from a file: the same bytes
// `jettison-trace generate idle --desktops N --days D --seed S --param ...` writes, held in memory,
// with S the scenario's seed, so each seed draws another office. Runs stream it as they stream a
// file (IdlePeriodStream).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/trace/idle_trace.hpp"

namespace jettison::sim {

struct GeneratedIdleTraceSpec {
  std::string model = "office";  // the one model so far (traces/gen/office_model.hpp)
  std::uint32_t desktops = 0;
  std::uint32_t days = 0;
  std::vector<std::string> params;  // "name=value", as --param takes them
  std::uint64_t seed = 0;
};

// Checks one "name=value" parameter of the office model: InputError (origin "--param") if bad.
void check_idle_param(const std::string& assignment);

// The trace's CSV text. Throws InputError (origin "--param") for a bad parameter.
std::string generate_idle_csv(const GeneratedIdleTraceSpec& spec);

// "office model: 100 desktops x 14 days, seed 7": the trace's name in messages and summaries.
std::string generated_trace_name(const GeneratedIdleTraceSpec& spec);

// Generates the trace and indexes it (IdleTraceIndex::text holds it).
IdleTraceIndex generate_idle_trace(const GeneratedIdleTraceSpec& spec);

}  // namespace jettison::sim
