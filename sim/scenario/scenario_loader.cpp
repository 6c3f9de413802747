#include "sim/scenario/scenario_loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <unordered_map>

#include "common/config/desktop_loader.hpp"
#include "common/config/yaml_checks.hpp"
#include "common/config/yaml_layers.hpp"
#include "common/input_error.hpp"
#include "common/rng.hpp"
#include "common/units.hpp"
#include "sim/scenario/hybrid_loader.hpp"
#include "sim/scenario/idle_trace_loader.hpp"
#include "sim/scenario/network_loader.hpp"
#include "sim/scenario/output_loader.hpp"
#include "sim/scenario/overrides.hpp"
#include "sim/scenario/policy_loader.hpp"
#include "sim/scenario/proxy_loader.hpp"
#include "sim/scenario/server_loader.hpp"
#include "sim/scenario/strategy_kinds.hpp"
#include "sim/scenario/yaml_node.hpp"
#include "sim/trace/input_file.hpp"
#include "sim/trace/model_profile.hpp"

namespace jettison::sim {
namespace {

using config::read_desktop;
using config::read_link;
using config::read_page_size;
using config::read_power;
using config::read_transitions;

// Settings every desktop shares unless its own entry in desktops.list overrides them.
using DesktopDefaults = config::DesktopFigures;

// The keys of an entry of desktops.list.
const std::initializer_list<std::string_view> kListedDesktopKeys = {"id",          "vm_memory", "power",
                                                                    "transitions", "link",      "profile"};

// The longest name kept as the output folder's name (file systems allow 255 bytes).
constexpr std::size_t kMaxNameBytes = 200;

// `name` names the default output folder results/<name> and is written in summary.json: one plain
// folder name, UTF-8.
void check_name(const YamlNode& n, const std::string& name) {
  const std::string why = "it names the output folder results/<name>";
  if (name.empty()) n.fail(fmt::format("must not be empty: {}", why));
  if (!config::is_valid_utf8(name)) n.fail(fmt::format("'{}' is not valid UTF-8", config::printable(name)));
  if (name == "." || name == "..") n.fail(fmt::format("'{}' cannot be a folder name: {}", name, why));
  if (name.size() > kMaxNameBytes) n.fail(fmt::format("is longer than {} bytes: {}", kMaxNameBytes, why));
  for (const char c : name) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || b < 0x20 || b == 0x7F) {
      n.fail(fmt::format("'{}' holds '{}', which a folder name cannot: {}", config::printable(name),
                         config::printable(std::string(1, c)), why));
    }
  }
}

void read_migration(const YamlNode& mig, Scenario& s) {
  mig.expect_keys({"migrate_after", "partial", "full", "hybrid", "reintegration_setup"});
  mig.attempt([&] { s.migration.migrate_after = mig.at("migrate_after").duration(); });
  mig.attempt([&] {
    const YamlNode partial = mig.at("partial");
    partial.expect_keys({"metadata", "setup"});
    partial.attempt([&] { s.migration.partial.metadata = partial.at("metadata").bytes(); });
    partial.attempt([&] { s.migration.partial.setup = partial.at("setup").duration(); });
  });
  mig.attempt([&] {
    const YamlNode full = mig.at("full");
    full.expect_keys({"setup", "max_rounds", "stop_copy_below", "dirty_rate"});
    full.attempt([&] { s.migration.full.setup = full.at("setup").duration(); });
    full.attempt([&] {
      const std::uint64_t max_rounds = full.at("max_rounds").unsigned_int();
      if (max_rounds == 0 || max_rounds > 1000) full.at("max_rounds").fail("must be between 1 and 1000");
      s.migration.full.max_rounds = static_cast<std::uint32_t>(max_rounds);
    });
    full.attempt([&] { s.migration.full.stop_copy_below = full.at("stop_copy_below").bytes(); });
    full.attempt([&] {
      if (auto rate = full.find("dirty_rate")) {
        if (rate->text() != "from-trace") {
          s.migration.full.dirty_rate = rate->bandwidth();
          if (s.migration.full.dirty_rate->bits_per_second() < 0) rate->fail("must not be negative");
        }
      }
    });
  });
  mig.attempt([&] { s.migration.reintegration_setup = mig.at("reintegration_setup").duration(); });
  mig.attempt([&] { read_hybrid(mig, s); });
}

// True when every entry is good (s.strategies is then the whole list).
bool read_strategies(const YamlNode& node, Scenario& s) {
  bool all_ok = true;
  for (const YamlNode& n : node.items()) {
    all_ok = n.attempt([&] {
      const std::string name = n.text();
      if (!strategy_kinds().find(name)) {
        n.fail(fmt::format("unknown strategy '{}'; choose from: {}", name, strategy_kinds().names()));
      }
      if (std::find(s.strategies.begin(), s.strategies.end(), name) != s.strategies.end()) {
        n.fail(fmt::format("strategy '{}' is listed twice", name));
      }
      s.strategies.push_back(name);
    }) && all_ok;
  }
  if (all_ok && s.strategies.empty()) node.fail("needs at least one strategy");
  return all_ok;
}

void read_profile(const YamlNode& p, Scenario& s, std::unordered_map<std::string, std::uint32_t>& by_name);

// Each profile is read on its own: a bad one does not hide the others' errors.
void read_profiles(const YamlNode& traces, Scenario& s,
                   std::unordered_map<std::string, std::uint32_t>& by_name) {
  traces.expect_keys({"profiles", "assign"});
  const auto items = traces.at("profiles").items();
  if (items.empty()) traces.at("profiles").fail("needs at least one profile");
  for (const YamlNode& p : items) {
    p.attempt([&] { read_profile(p, s, by_name); });
  }
}

// A profile's accesses: read from its `file`, or drawn from its fitted `model` (sim/trace/model_profile.hpp)
// for its `length`, else for as long as the idle trace (no idle period lasts longer).
PageProfile read_profile_source(const YamlNode& p, const std::string& name, const Scenario& s) {
  const auto file = p.find("file");
  const auto model = p.find("model");
  if (file && model) p.fail("give either 'file' (a page trace) or 'model' (a fitted page model), not both");
  if (!file && !model)
    p.fail_missing("file", "or 'model': a page trace, or a fitted page model to draw from");
  if (file) {
    const std::string path = resolve_relative(file->source_file(), file->text());
    return read_page_profile(open_input(path, file->origin()), path);
  }
  const std::string path = resolve_relative(model->source_file(), model->text());
  const PageModel m = read_page_model_file(path, model->origin());
  if (m.page_bytes != static_cast<std::uint64_t>(s.page_size.count())) {
    model->fail(fmt::format("the model's page_size ({} B) differs from the scenario's page_size ({} B)",
                            m.page_bytes, s.page_size.count()));
  }
  std::int64_t length_us = std::max<std::int64_t>(s.idle_trace.end.us(), 1'000'000);
  if (auto len = p.find("length")) {
    length_us = len->duration().us();
    if (length_us <= 0) len->fail("must be positive");
  }
  // A drawn page's origin is the `model` key's line ("file:line: key" -> line; 0 for a --set value).
  const std::string where = model->origin();
  const std::string head = where.substr(0, where.size() - model->path().size() - 2);
  std::uint64_t line = 0;
  if (const auto colon = head.rfind(':'); colon != std::string::npos && where.rfind("--set", 0) != 0) {
    line = std::strtoull(head.c_str() + colon + 1, nullptr, 10);
  }
  return draw_model_profile(m, model_profile_seed(s.seed, name), length_us, p.source_file(), line);
}

void read_profile(const YamlNode& p, Scenario& s, std::unordered_map<std::string, std::uint32_t>& by_name) {
  p.expect_keys({"name", "file", "model", "when_shorter", "length", "anchor"});
  const std::string name = p.at("name").text();
  if (!by_name.try_emplace(name, static_cast<std::uint32_t>(s.profiles.size())).second) {
    p.at("name").fail(fmt::format("profile '{}' is defined twice", name));
  }
  PageProfile profile = read_profile_source(p, name, s);
  profile.name = name;
  if (auto w = p.find("when_shorter")) {
    const std::string v = w->text();
    if (v == "repeat")
      profile.repeat = true;
    else if (v == "stop")
      profile.repeat = false;
    else
      w->fail(fmt::format("'{}' is not one of: repeat, stop", v));
  }
  if (auto a = p.find("anchor")) {
    const std::string v = a->text();
    if (v == "idle-start")
      profile.anchor = ProfileAnchor::kIdleStart;
    else if (v == "migration-end")
      profile.anchor = ProfileAnchor::kMigrationEnd;
    else
      a->fail(fmt::format("'{}' is not one of: idle-start, migration-end", v));
  }
  if (auto len = p.find("length"); len && !p.has("model")) {
    profile.cycle = len->duration();
    if (!profile.accesses.empty() && profile.cycle.us() <= profile.accesses.back().offset_us) {
      len->fail(fmt::format("length must be after the profile's last access at {} s",
                            static_cast<double>(profile.accesses.back().offset_us) / 1e6));
    }
  }
  s.profiles.push_back(std::move(profile));
}

void check_desktop(const DesktopSpec& d, const Scenario& s, const YamlNode& where) {
  if (d.vm_memory().count() == 0 || d.vm_memory().count() % s.page_size.count() != 0) {
    where.fail(fmt::format("desktop '{}': vm_memory {} must be a positive multiple of page_size {}", d.id,
                           d.vm_memory().count(), s.page_size.count()));
  }
  const PageProfile& p = s.profiles[d.profile];
  const std::uint64_t pages = d.vm_memory().count() / s.page_size.count();
  if (!p.gfns.empty() && p.max_gfn >= pages) {
    // Slots are numbered in order of first appearance: the first one out of range is the first row.
    const auto it = std::find_if(p.gfns.begin(), p.gfns.end(), [&](std::uint64_t g) { return g >= pages; });
    const auto slot = static_cast<std::size_t>(it - p.gfns.begin());
    throw InputError(p.origin(static_cast<std::uint32_t>(slot)),
                     fmt::format("page {} is outside the {} pages of desktop '{}' ({} of {}-byte pages)", *it,
                                 pages, d.id, format_bytes(d.vm_memory()), s.page_size.count()));
  }
  if (s.migration.partial.metadata > d.vm_memory()) {
    where.fail(fmt::format("migration.partial.metadata is larger than desktop '{}''s vm_memory", d.id));
  }
}

void read_desktops(const YamlNode* list_node, const DesktopDefaults& d, const YamlNode& defaults_node,
                   const std::string& assign,
                   const std::unordered_map<std::string, std::uint32_t>& profiles_by_name,
                   std::optional<YamlNode> desktops_node, Scenario& s) {
  const auto& trace_ids = s.idle_trace.desktops();
  auto pick_profile = [&](const std::string& id, std::size_t index) -> std::uint32_t {
    const auto n = static_cast<std::uint32_t>(s.profiles.size());
    if (assign == "round-robin") return static_cast<std::uint32_t>(index % n);
    RandomStream rng(s.seed, "profile:" + id);
    return static_cast<std::uint32_t>(rng.below(n));
  };
  // The desktops share `desktop:`'s figures; a listed desktop that overrides any has its own.
  s.desktop_classes.push_back(
      std::make_shared<const DesktopClass>(DesktopClass{d.vm_memory, d.power, d.transitions, d.link}));
  const DesktopClass* shared = s.desktop_classes.back().get();
  auto make = [&](const std::string& id, std::size_t index) {
    return DesktopSpec{id, shared, pick_profile(id, index)};
  };
  if (list_node) {
    std::unordered_map<std::string, bool> in_trace;
    for (const auto& id : trace_ids) in_trace[id] = true;
    std::unordered_map<std::string, bool> seen;
    for (const YamlNode& e : list_node->items()) {
      e.attempt([&] {  // each entry on its own: a bad one does not hide the others' errors
        e.expect_keys(kListedDesktopKeys);
        const std::string id = e.at("id").text();
        if (!in_trace.count(id)) {
          e.at("id").fail(fmt::format("desktop '{}' has no idle periods in {}", id, s.idle_trace.path));
        }
        if (!seen.try_emplace(id, true).second)
          e.at("id").fail(fmt::format("desktop '{}' is listed twice", id));
        DesktopSpec spec = make(id, s.desktops.size());
        DesktopClass own = *shared;
        if (auto v = e.find("vm_memory")) own.vm_memory = v->bytes();
        if (auto v = e.find("power")) own.power = read_power(*v, &d.power);
        if (auto v = e.find("transitions")) own.transitions = read_transitions(*v, &d.transitions);
        if (auto v = e.find("link")) own.link = read_link(*v, &d.link);
        if (e.find("vm_memory") || e.find("power") || e.find("transitions") || e.find("link")) {
          s.desktop_classes.push_back(std::make_shared<const DesktopClass>(own));
          spec.cls = s.desktop_classes.back().get();
        }
        if (auto v = e.find("profile")) {
          auto it = profiles_by_name.find(v->text());
          if (it == profiles_by_name.end())
            v->fail(fmt::format("no page-trace profile named '{}'", v->text()));
          spec.profile = it->second;
        }
        check_desktop(spec, s, e);
        s.desktops.push_back(std::move(spec));
      });
    }
    return;
  }
  std::size_t count = trace_ids.size();
  if (desktops_node) {
    if (auto c = desktops_node->find("count")) {
      // `all`: every desktop of the trace, as when count is left out (a --set can say it where the
      // scenario names a count, without knowing the trace's size).
      const std::string value = c->text();
      const bool all = value == "all";
      if (!all && value.find_first_not_of("0123456789") != std::string::npos)
        c->fail(fmt::format("'{}' is neither a number of desktops nor 'all'", value));
      count = all ? trace_ids.size() : c->unsigned_int();
      if (count == 0) c->fail("must be at least 1");
      if (count > trace_ids.size()) {
        c->fail(fmt::format("asks for {} desktops but {} has only {}", count, s.idle_trace.path,
                            trace_ids.size()));
      }
    }
  }
  s.desktops.reserve(count);  // exactly: a doubling vector would leave up to half its room unused
  for (std::size_t i = 0; i < count; ++i) {
    s.desktops.push_back(make(trace_ids[i], i));
    check_desktop(s.desktops.back(), s, defaults_node);
  }
}

}  // namespace

// A scenario from the file `path`, or from `text` (not null) standing for that file.
static Scenario load_scenario_from(const std::string& path, const std::string* text,
                                   const std::vector<std::string>& overrides) {
  if (!config::is_valid_utf8(path)) {
    throw InputError(config::printable(path),
                     "the scenario's file name is not valid UTF-8 (summary.json records it)");
  }
  YamlDocument doc;
  doc.file = path;
  YAML::Node root =
      text ? config::read_yaml_layers_text(*text, path, doc) : config::read_yaml_layers(path, doc);
  for (const std::string& o : overrides) doc.overridden.insert(apply_override(root, o));
  const YamlNode top(root, "", &doc);
  if (!top.is_map()) top.fail("a scenario is a mapping of keys to values");

  // Every independent error is gathered (each key read on its own, keeping its default when bad) and
  // reported together, in file order: first all that needs only the file and its traces, then what
  // depends on those values (the desktops, then the network and timeline over them).
  config::ConfigErrors errors;
  doc.errors = &errors;
  top.expect_keys({"name", "seed", "page_size", "idle_trace", "page_traces", "desktop", "desktops", "server",
                   "network", "migration", "policy", "strategies", "about", "output", "proxy"});

  Scenario s;
  s.source = path;
  top.attempt([&] {
    const YamlNode name = top.at("name");
    s.name = name.text();
    check_name(name, s.name);
  });
  top.attempt([&] { s.seed = top.at("seed").unsigned_int(); });
  top.attempt([&] { s.page_size = read_page_size(top.find("page_size")); });
  top.attempt([&] { read_migration(top.at("migration"), s); });
  top.attempt([&] { read_policy(top.at("policy"), s); });
  bool strategies_ok = false;
  top.attempt([&] { strategies_ok = read_strategies(top.at("strategies"), s); });
  top.attempt([&] { read_servers(top.at("server"), s); });
  top.attempt([&] { read_proxy(top.find("proxy"), s); });

  top.attempt([&] {
    const YamlNode idle = top.at("idle_trace");
    bool generated = false;
    s.idle_trace = read_idle_trace(idle, s.seed, generated);
    s.seed_draws = s.seed_draws || generated;
    if (s.idle_trace.desktops().empty())
      idle.fail(fmt::format("{} holds no idle periods", s.idle_trace.path));
  });
  std::unordered_map<std::string, std::uint32_t> profiles_by_name;
  std::string assign = "round-robin";
  top.attempt([&] {
    const YamlNode traces = top.at("page_traces");
    read_profiles(traces, s, profiles_by_name);
    traces.attempt([&] {
      if (auto a = traces.find("assign")) {
        assign = a->text();
        if (assign != "round-robin" && assign != "random") {
          a->fail(fmt::format("'{}' is not one of: round-robin, random", assign));
        }
        s.seed_draws = s.seed_draws || assign == "random";
      }
    });
    for (const YamlNode& p : traces.at("profiles").items())  // profiles drawn from a page model
      s.seed_draws = s.seed_draws || (p.is_map() && p.has("model"));
  });

  DesktopDefaults defaults;
  top.attempt([&] { defaults = read_desktop(top.at("desktop"), s.page_size); });
  std::optional<YamlNode> desktops = top.find("desktops");
  std::optional<YamlNode> list;
  top.attempt([&] {
    if (!desktops) return;
    desktops->expect_keys({"count", "list"});
    list = desktops->find("list");
    if (list && desktops->has("count")) desktops->fail("give either 'count' or 'list', not both");
    if (list && list->is_sequence()) {
      for (const YamlNode& e : list->items()) e.attempt([&] { e.expect_keys(kListedDesktopKeys); });
    }
  });
  top.attempt([&] {
    if (auto n = top.find("network")) check_network_keys(*n);
  });
  top.attempt([&] {
    if (auto about = top.find("about")) read_about(*about, s, strategies_ok);
  });
  top.attempt([&] {
    if (auto o = top.find("output")) check_output_keys(*o);
  });
  errors.throw_if_any();

  top.attempt([&] {
    read_desktops(list ? &*list : nullptr, defaults, top.at("desktop"), assign, profiles_by_name, desktops,
                  s);
  });
  errors.throw_if_any();
  top.attempt([&] { read_network(top, s); });
  top.attempt([&] { read_output(top.find("output"), s); });
  errors.throw_if_any();
  YAML::Emitter out;
  out << root;
  s.resolved_yaml = std::string(out.c_str()) + "\n";
  return s;
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  return load_scenario_from(path, nullptr, overrides);
}

Scenario load_scenario_text(const std::string& text, const std::string& name,
                            const std::vector<std::string>& overrides) {
  return load_scenario_from(name, &text, overrides);
}

}  // namespace jettison::sim
