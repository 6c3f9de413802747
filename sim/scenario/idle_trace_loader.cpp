#include "sim/scenario/idle_trace_loader.hpp"

#include <fmt/format.h>

#include "common/input_error.hpp"
#include "sim/trace/generated_idle_trace.hpp"
#include "sim/trace/input_file.hpp"

namespace jettison::sim {
namespace {

constexpr std::uint64_t kMaxDesktops = 1'000'000;  // as jettison-trace generate idle
constexpr std::uint64_t kMaxDays = 36'500;

std::uint32_t count_within(const YamlNode& n, std::uint64_t max, const char* what) {
  const std::uint64_t v = n.unsigned_int();
  if (v < 1 || v > max) n.fail(fmt::format("{} {} is not within 1..{}", v, what, max));
  return static_cast<std::uint32_t>(v);
}

// The first error throws: the trace is drawn only from a whole, good description.
GeneratedIdleTraceSpec read_spec(const YamlNode& node, std::uint64_t seed) {
  node.expect_keys({"generate", "desktops", "days", "params"});
  GeneratedIdleTraceSpec spec;
  spec.seed = seed;
  const YamlNode model = node.at("generate");
  spec.model = model.text();
  if (spec.model != "office")
    model.fail(fmt::format("unknown trace model '{}'; choose from: office", spec.model));
  spec.desktops = count_within(node.at("desktops"), kMaxDesktops, "desktops");
  spec.days = count_within(node.at("days"), kMaxDays, "days");
  if (const auto params = node.find("params")) {
    if (!params->is_map())
      params->fail(
          "expected a mapping of the model's parameters to values (jettison-trace generate idle "
          "--list-params)");
    for (const auto& [name, value] : params->entries()) {
      const std::string assignment = name + "=" + value.text();
      try {  // checked one by one, so the error names its key
        check_idle_param(assignment);
      } catch (const InputError& e) {
        const std::string what = e.what();
        value.fail(what.substr(e.origin().empty() ? 0 : e.origin().size() + 2));
      }
      spec.params.push_back(assignment);
    }
  }
  return spec;
}

}  // namespace

IdleTraceIndex read_idle_trace(const YamlNode& node, std::uint64_t seed, bool& generated) {
  generated = node.is_map();
  if (!generated) return index_idle_trace(resolve_relative(node.source_file(), node.text()), node.origin());
  IdleTraceIndex index = generate_idle_trace(read_spec(node, seed));
  if (index.desktops().empty()) node.fail(fmt::format("the {} drew no idle periods", index.path));
  return index;
}

}  // namespace jettison::sim
