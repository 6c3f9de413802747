#include "sim/trace/generated_idle_trace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "common/rng.hpp"
#include "traces/gen/office_model.hpp"
#include "traces/io/csv_writer.hpp"

namespace jettison::sim {

void check_idle_param(const std::string& assignment) {
  traces::Params params(traces::OfficeModel::param_specs(), 0);
  params.set(assignment);
}

std::string generate_idle_csv(const GeneratedIdleTraceSpec& spec) {
  traces::Params params(traces::OfficeModel::param_specs(), 0);
  for (const std::string& p : spec.params) params.set(p);
  const traces::OfficeModel model(params);

  // As jettison-trace generate idle draws them: desktop i from RandomStream(seed, "idle:<i>"), rows
  // sorted by start, then desktop; desktop i named d<i> zero-padded to at least 2 digits.
  struct Row {
    std::int64_t start_ms;
    std::int64_t end_ms;
    std::uint32_t desktop;
  };
  std::vector<Row> rows;
  for (std::uint32_t i = 0; i < spec.desktops; ++i) {
    RandomStream rng(spec.seed, fmt::format("idle:{}", i));
    for (const traces::IdleSpan& s : model.desktop_periods(rng, static_cast<int>(spec.days)))
      rows.push_back({s.start_ms, s.end_ms, i});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.start_ms != b.start_ms ? a.start_ms < b.start_ms : a.desktop < b.desktop;
  });
  const int width = std::max(2, static_cast<int>(fmt::formatted_size("{}", spec.desktops - 1)));
  std::ostringstream out;
  traces::IdleCsvWriter writer(out);
  std::string id;
  for (const Row& r : rows) {
    id.clear();
    fmt::format_to(std::back_inserter(id), "d{:0{}}", r.desktop, width);
    writer.write(id, Time::micros(r.start_ms * 1000), Time::micros(r.end_ms * 1000));
  }
  writer.finish();
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
