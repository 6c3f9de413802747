#include "traces/tool/generate_idle.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "common/input_error.hpp"
#include "traces/gen/office_model.hpp"
#include "traces/gen/office_trace.hpp"
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

  return {write_office_trace(model, args.seed, args.desktops, args.days, out)};
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
