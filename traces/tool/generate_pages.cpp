#include "traces/tool/generate_pages.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/input_error.hpp"
#include "common/rng.hpp"
#include "traces/io/csv_writer.hpp"
#include "traces/tool/idle_vm_model.hpp"
#include "traces/tool/trace_output.hpp"

namespace jettison::traces {

GeneratePagesResult generate_pages(const GeneratePagesArgs& args, std::ostream& out) {
  const auto profiles = IdleVmModel::profiles();
  const auto it = std::find(profiles.begin(), profiles.end(), args.profile);
  if (it == profiles.end()) {
    throw InputError("--profile",
                     fmt::format("unknown profile '{}': use {}", args.profile, fmt::join(profiles, " or ")));
  }
  if (!(args.hours > 0) || args.hours > 1000) {
    throw InputError("--hours", fmt::format("{} is not within (0, 1000] hours", args.hours));
  }
  Params params(IdleVmModel::param_specs(), static_cast<std::size_t>(it - profiles.begin()));
  for (const auto& p : args.params) params.set(p);
  const IdleVmModel model(params);
  RandomStream rng(args.seed, fmt::format("pages:{}", args.profile));
  const auto events = model.generate(rng, std::llround(args.hours * 3600e6));

  PageCsvWriter writer(out);
  for (const PageEvent& e : events) writer.write(e.time_us, e.page, e.write);
  writer.finish();
  return {events.size()};
}

void add_generate_pages_command(CLI::App& generate) {
  auto args = std::make_shared<GeneratePagesArgs>();
  auto out = std::make_shared<std::string>();
  auto list = std::make_shared<bool>(false);
  auto* cmd = generate.add_subcommand(
      "pages", "page accesses of an idle VM during one idle period; the model is in traces/README.md");
  cmd->add_option("--profile", args->profile, "windows or linux")->capture_default_str();
  cmd->add_option("--hours", args->hours, "length of the idle period")->capture_default_str();
  cmd->add_option("--seed", args->seed, "random seed")->capture_default_str();
  cmd->add_option("--out", *out, "output profile (CSV time,page,op); written whole or not at all");
  cmd->add_option("--param", args->params, "override a model parameter: name=value (repeatable)");
  cmd->add_flag("--list-params", *list, "print the model's parameters with both profiles' defaults and exit");
  cmd->callback([args, out, list] {
    if (*list) {
      print_params(stdout, IdleVmModel::param_specs(), IdleVmModel::profiles());
      return;
    }
    if (out->empty()) throw InputError("--out", "an output file is required");
    TraceOutput file(*out);
    const auto result = generate_pages(*args, file.out());
    file.commit();
    fmt::print(stderr, "{}: {} accesses of an idle {} VM over {} h\n", *out, result.accesses, args->profile,
               args->hours);
  });
}

}  // namespace jettison::traces
