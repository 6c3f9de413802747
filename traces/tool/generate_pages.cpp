#include "traces/tool/generate_pages.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/input_error.hpp"
#include "common/rng.hpp"
#include "common/units.hpp"
#include "traces/io/csv_writer.hpp"
#include "traces/gen/idle_vm_model.hpp"
#include "traces/gen/page_model.hpp"
#include "traces/gen/page_model_generator.hpp"
#include "traces/tool/trace_output.hpp"

namespace jettison::traces {
namespace {

GeneratePagesResult generate_from_model_file(const GeneratePagesArgs& args, std::int64_t length_us,
                                             std::ostream& out) {
  if (!args.params.empty()) throw InputError("--param", "applies to --profile models, not to --model");
  const PageModel model = load_page_model(args.model);
  std::uint64_t vm_pages = model.vm_pages();
  if (!args.vm_memory.empty()) {
    std::uint64_t bytes = 0;
    try {
      bytes = static_cast<std::uint64_t>(parse_bytes(args.vm_memory).count());
    } catch (const UnitError& e) {
      throw InputError("--vm-memory", e.what());
    }
    if (bytes < model.page_bytes || bytes % model.page_bytes != 0) {
      throw InputError("--vm-memory", fmt::format("{} is not a whole number of the model's {} B pages",
                                                  args.vm_memory, model.page_bytes));
    }
    vm_pages = bytes / model.page_bytes;
  }
  if (vm_pages > kMaxModelVmPages) {
    throw InputError(
        args.vm_memory.empty() ? args.model : "--vm-memory",
        fmt::format("{} pages is more than the {} this generator handles", vm_pages, kMaxModelVmPages));
  }
  const ModelTrace trace = generate_from_model(model, vm_pages, args.seed, length_us);
  PageCsvWriter writer(out);
  for (const PageEvent& e : trace.events) writer.write(e.time_us, e.page, e.write);
  writer.finish();

  GeneratePagesResult r{trace.events.size(), trace.unique_pages, vm_pages, trace.full_at_us, {}};
  // Unique pages after each mark within the length: first touches at or before it.
  std::vector<std::int64_t> firsts;
  std::vector<bool> touched(vm_pages, false);
  for (const PageEvent& e : trace.events) {
    if (!touched[e.page]) {
      touched[e.page] = true;
      firsts.push_back(e.time_us);
    }
  }
  for (const std::int64_t s : {60, 600, 3600, 36000}) {
    if (s * 1'000'000 > length_us) break;
    const auto n = std::upper_bound(firsts.begin(), firsts.end(), s * 1'000'000) - firsts.begin();
    r.unique_by.emplace_back(s, static_cast<std::uint64_t>(n));
  }
  return r;
}

}  // namespace

GeneratePagesResult generate_pages(const GeneratePagesArgs& args, std::ostream& out) {
  if (!(args.hours > 0) || args.hours > 1000) {
    throw InputError("--hours", fmt::format("{} is not within (0, 1000] hours", args.hours));
  }
  const std::int64_t length_us = std::llround(args.hours * 3600e6);
  if (!args.model.empty()) return generate_from_model_file(args, length_us, out);
  if (!args.vm_memory.empty()) throw InputError("--vm-memory", "applies to --model only");
  const auto profiles = IdleVmModel::profiles();
  const auto it = std::find(profiles.begin(), profiles.end(), args.profile);
  if (it == profiles.end()) {
    throw InputError("--profile",
                     fmt::format("unknown profile '{}': use {}", args.profile, fmt::join(profiles, " or ")));
  }
  Params params(IdleVmModel::param_specs(), static_cast<std::size_t>(it - profiles.begin()));
  for (const auto& p : args.params) params.set(p);
  const IdleVmModel model(params);
  RandomStream rng(args.seed, fmt::format("pages:{}", args.profile));
  const auto events = model.generate(rng, length_us);

  PageCsvWriter writer(out);
  for (const PageEvent& e : events) writer.write(e.time_us, e.page, e.write);
  writer.finish();
  return {events.size(), 0, 0, std::nullopt, {}};
}

void add_generate_pages_command(CLI::App& generate) {
  auto args = std::make_shared<GeneratePagesArgs>();
  auto out = std::make_shared<std::string>();
  auto list = std::make_shared<bool>(false);
  auto* cmd = generate.add_subcommand(
      "pages",
      "page accesses of an idle VM during one idle period, from a built-in profile or a fitted model; "
      "see traces/README.md");
  auto* profile = cmd->add_option("--profile", args->profile, "windows or linux")->capture_default_str();
  cmd->add_option("--model", args->model,
                  "a page model from `jettison-trace fit pages` (YAML) instead of a profile");
  cmd->add_option("--vm-memory", args->vm_memory, "with --model: the VM's memory (default: the model's)");
  cmd->add_option("--hours", args->hours, "length of the idle period")->capture_default_str();
  cmd->add_option("--seed", args->seed, "random seed")->capture_default_str();
  cmd->add_option("--out", *out, "output profile (CSV time,page,op); written whole or not at all");
  cmd->add_option("--param", args->params, "override a model parameter: name=value (repeatable)");
  cmd->add_flag("--list-params", *list, "print the model's parameters with both profiles' defaults and exit");
  cmd->callback([args, out, list, profile] {
    if (*list) {
      print_params(stdout, IdleVmModel::param_specs(), IdleVmModel::profiles());
      return;
    }
    if (!args->model.empty() && profile->count() > 0)
      throw InputError("--profile", "give --profile or --model, not both");
    if (out->empty()) throw InputError("--out", "an output file is required");
    TraceOutput file(*out);
    const auto result = generate_pages(*args, file.out());
    file.commit();
    if (args->model.empty()) {
      fmt::print(stderr, "{}: {} accesses of an idle {} VM over {} h\n", *out, result.accesses, args->profile,
                 args->hours);
      return;
    }
    std::string marks;
    for (const auto& [s, n] : result.unique_by)
      marks += fmt::format("{}{} {}", marks.empty() ? "" : ", ",
                           s < 3600 ? fmt::format("{} s:", s) : fmt::format("{} h:", s / 3600), n);
    fmt::print(stderr, "{}: {} accesses, {} unique pages over {} h from {} (unique pages after {})\n", *out,
               result.accesses, result.unique_pages, args->hours, args->model, marks);
    if (result.full_at_us) {
      fmt::print(stderr, "{}: the VM's {} pages ran out at {:.6f} s: no new page after that\n", *out,
                 result.vm_pages, static_cast<double>(*result.full_at_us) / 1e6);
    }
  });
}

}  // namespace jettison::traces
