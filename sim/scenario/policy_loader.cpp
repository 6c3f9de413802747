#include "sim/scenario/policy_loader.hpp"

#include <fmt/format.h>

#include "policy/migration_triggers.hpp"
#include "policy/prefetchers.hpp"
#include "policy/resume_kinds.hpp"
#include "policy/sleep_schedulers.hpp"

namespace jettison::sim {
namespace {

template <class RegistryT>
std::string read_rule(const YamlNode& section, const RegistryT& registry, std::string_view what) {
  const YamlNode rule = section.at("rule");
  const std::string name = rule.text();
  if (!registry.find(name)) {
    rule.fail(fmt::format("unknown {} '{}'; choose one of: {}", what, name, registry.names()));
  }
  return name;
}

std::uint32_t small_count(const YamlNode& n, std::uint64_t lo, std::uint64_t hi) {
  const std::uint64_t v = n.unsigned_int();
  if (v < lo || v > hi) n.fail(fmt::format("must be between {} and {}", lo, hi));
  return static_cast<std::uint32_t>(v);
}

// A number in (0, 1].
double unit_fraction(const YamlNode& n) {
  const std::string text = n.text();
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !(v > 0.0 && v <= 1.0)) {
    n.fail(fmt::format("'{}' is not a number in (0, 1]", text));
  }
  return v;
}

void read_sleep(const YamlNode& n, SleepPolicySpec& out) {
  n.expect_keys({"rule", "timeout", "trust", "history"});
  n.attempt([&] { out.rule = read_rule(n, policy::sleep_schedulers(), "sleep rule"); });
  n.attempt([&] {
    if (auto v = n.find("timeout")) out.params.timeout = v->duration();
  });
  n.attempt([&] {
    if (auto v = n.find("history")) out.params.history = small_count(*v, 1, 10000);
  });
  n.attempt([&] {
    if (auto v = n.find("trust")) out.params.trust = unit_fraction(*v);
  });
}

void read_prefetch(const YamlNode& n, PrefetchPolicySpec& out) {
  n.expect_keys({"rule", "radius", "budget", "depth"});
  n.attempt([&] { out.rule = read_rule(n, policy::prefetchers(), "prefetcher"); });
  n.attempt([&] {
    if (auto v = n.find("radius")) out.params.radius = small_count(*v, 0, 1u << 20);
  });
  n.attempt([&] {
    if (auto v = n.find("budget")) out.params.budget = v->bytes();
  });
  n.attempt([&] {
    if (auto v = n.find("depth")) out.params.depth = small_count(*v, 1, 1000);
  });
}

void read_resume(const YamlNode& n, Scenario& s) {
  n.expect_keys({"pages"});
  if (auto v = n.find("pages")) {
    const std::string kind = v->text();
    const auto* e = policy::resume_kinds().find(kind);
    if (e == nullptr) v->fail(fmt::format("'{}' is not one of: {}", kind, policy::resume_kinds().names()));
    s.resume_pages = e->make();
  }
}

void read_trigger(const YamlNode& n, TriggerPolicySpec& out) {
  n.expect_keys({"rule", "otherwise", "history", "min_samples", "confidence"});
  n.attempt([&] { out.rule = read_rule(n, policy::migration_triggers(), "migration trigger"); });
  n.attempt([&] {
    auto v = n.find("otherwise");
    if (!v) return;
    const std::string what = v->text();
    if (what == "sleep-only")
      out.params.otherwise = policy::TriggerAction::kSleepOnly;
    else if (what == "stay-on")
      out.params.otherwise = policy::TriggerAction::kStayOn;
    else
      v->fail(fmt::format("'{}' is not one of: sleep-only, stay-on", what));
  });
  n.attempt([&] {
    if (auto v = n.find("history")) out.params.history = small_count(*v, 1, 100000);
  });
  n.attempt([&] {
    if (auto v = n.find("min_samples")) out.params.min_samples = small_count(*v, 0, 100000);
  });
  n.attempt([&] {
    if (auto v = n.find("confidence")) out.params.confidence = unit_fraction(*v);
  });
}

}  // namespace

void read_policy(const YamlNode& node, Scenario& s) {
  node.expect_keys({"sleep", "prefetch", "resume", "trigger"});
  node.attempt([&] { read_sleep(node.at("sleep"), s.sleep); });
  node.attempt([&] {
    if (auto n = node.find("prefetch")) read_prefetch(*n, s.prefetch);
  });
  node.attempt([&] {
    if (auto n = node.find("resume")) read_resume(*n, s);
  });
  node.attempt([&] {
    if (auto n = node.find("trigger")) read_trigger(*n, s.trigger);
  });
}

}  // namespace jettison::sim
