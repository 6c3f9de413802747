#include "traces/tool/generate_idle.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "common/input_error.hpp"
#include "common/rng.hpp"
#include "traces/io/csv_writer.hpp"
#include "traces/gen/office_model.hpp"
#include "traces/tool/trace_output.hpp"

namespace jettison::traces {

GenerateIdleResult generate_idle(const GenerateIdleArgs& args, std::ostream& out) {
  if (args.desktops < 1 || args.desktops > 1'000'000) {
    throw InputError("--desktops", fmt::format("{} is not within 1..1000000", args.desktops));
  }
  if (args.days < 1 || args.days > 36'500) {
    throw InputError("--days", fmt::format("{} is not within 1..36500", args.days));
  }
  Params params(OfficeModel::param_specs(), 0);
  for (const auto& p : args.params) params.set(p);
  const OfficeModel model(params);

  // Every period is held (24 bytes each) to sort the rows of all desktops by start.
  struct Row {
    std::int64_t start_ms;
    std::int64_t end_ms;
    std::uint32_t desktop;
  };
  std::vector<Row> rows;
  rows.reserve(static_cast<std::size_t>(args.desktops) * args.days * 12);
  for (std::uint32_t i = 0; i < args.desktops; ++i) {
    RandomStream rng(args.seed, fmt::format("idle:{}", i));
    for (const IdleSpan& s : model.desktop_periods(rng, static_cast<int>(args.days))) {
      rows.push_back({s.start_ms, s.end_ms, i});
    }
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.start_ms != b.start_ms ? a.start_ms < b.start_ms : a.desktop < b.desktop;
  });

  const int width = std::max(2, static_cast<int>(fmt::formatted_size("{}", args.desktops - 1)));
  IdleCsvWriter writer(out);
  std::string id;
  for (const Row& r : rows) {
    id.clear();
    fmt::format_to(std::back_inserter(id), "d{:0{}}", r.desktop, width);
    writer.write(id, Time::micros(r.start_ms * 1000), Time::micros(r.end_ms * 1000));
  }
  writer.finish();
  return {rows.size()};
}

void add_generate_idle_command(CLI::App& generate) {
  auto args = std::make_shared<GenerateIdleArgs>();
  auto out = std::make_shared<std::string>();
  auto list = std::make_shared<bool>(false);
  auto* cmd = generate.add_subcommand(
      "idle", "idle periods of office desktops (day 0 = Monday); the model is in traces/README.md");
  cmd->add_option("--desktops", args->desktops, "number of desktops (d00, d01, ...)")->capture_default_str();
  cmd->add_option("--days", args->days, "days from Monday 00:00")->capture_default_str();
  cmd->add_option("--seed", args->seed, "random seed")->capture_default_str();
  cmd->add_option("--out", *out, "output trace (CSV desktop,start,end); written whole or not at all");
  cmd->add_option("--param", args->params, "override a model parameter: name=value (repeatable)");
  cmd->add_flag("--list-params", *list, "print the model's parameters with their defaults and exit");
  cmd->callback([args, out, list] {
    if (*list) {
      print_params(stdout, OfficeModel::param_specs(), {});
      return;
    }
    if (out->empty()) throw InputError("--out", "an output file is required");
    TraceOutput file(*out);
    const auto result = generate_idle(*args, file.out());
    file.commit();
    fmt::print(stderr, "{}: {} idle periods of {} desktops over {} days\n", *out, result.periods,
               args->desktops, args->days);
  });
}

}  // namespace jettison::traces
