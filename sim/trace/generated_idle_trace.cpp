#include "sim/trace/generated_idle_trace.hpp"

#include <fmt/format.h>

#include <sstream>

#include "traces/gen/office_model.hpp"
#include "traces/gen/office_trace.hpp"

namespace jettison::sim {

void check_idle_param(const std::string& assignment) {
  traces::Params params(traces::OfficeModel::param_specs(), 0);
  params.set(assignment);
}

std::string generate_idle_csv(const GeneratedIdleTraceSpec& spec) {
  traces::Params params(traces::OfficeModel::param_specs(), 0);
  for (const std::string& p : spec.params) params.set(p);
  const traces::OfficeModel model(params);

  std::ostringstream out;
  traces::write_office_trace(model, spec.seed, spec.desktops, spec.days, out);
  return std::move(out).str();
}

std::string generated_trace_name(const GeneratedIdleTraceSpec& spec) {
  return fmt::format("{} model: {} desktops x {} days, seed {}", spec.model, spec.desktops, spec.days,
                     spec.seed);
}

IdleTraceIndex generate_idle_trace(const GeneratedIdleTraceSpec& spec) {
  return index_idle_text(std::make_shared<const std::string>(generate_idle_csv(spec)),
                         generated_trace_name(spec));
}

}  // namespace jettison::sim
