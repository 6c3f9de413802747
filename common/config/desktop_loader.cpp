#include "common/config/desktop_loader.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/config/yaml_layers.hpp"
#include "common/input_error.hpp"

namespace jettison::config {

PowerTable read_power(const YamlNode& n, const PowerTable* base) {
  n.expect_keys({"active", "idle", "migrating", "suspending", "asleep", "resuming_full", "resuming_selective",
                 "serving"});
  PowerTable t = base ? *base : PowerTable{};
  for (std::size_t i = 0; i < kPowerStateCount; ++i) {
    n.attempt([&] {
      if (auto v = n.find(kPowerStateNames[i])) {
        t.watts[i] = v->power();
      } else if (!base) {
        n.fail_missing(kPowerStateNames[i], "every power state needs a power");
      }
    });
  }
  return t;
}

Transitions read_transitions(const YamlNode& n, const Transitions* base) {
  n.expect_keys({"suspend", "resume_full", "resume_selective", "wake_on_lan"});
  Transitions t = base ? *base : Transitions{};
  auto get = [&](std::string_view key, Duration& out) {
    n.attempt([&] {
      if (auto v = n.find(key))
        out = v->duration();
      else if (!base)
        n.at(key);  // reports the missing key
    });
  };
  get("suspend", t.suspend);
  get("resume_full", t.resume_full);
  get("resume_selective", t.resume_selective);
  get("wake_on_lan", t.wake_on_lan);
  return t;
}

Link read_link(const YamlNode& n, const Link* base) {
  n.expect_keys({"bandwidth", "latency"});
  Link l = base ? *base : Link{};
  n.attempt([&] {
    if (auto v = n.find("bandwidth")) {
      l.bandwidth = v->bandwidth();
      if (l.bandwidth.bits_per_second() <= 0) v->fail("bandwidth must be positive");
    } else if (!base) {
      n.at("bandwidth");
    }
  });
  n.attempt([&] {
    if (auto v = n.find("latency"))
      l.latency = v->duration();
    else if (!base)
      n.at("latency");
  });
  return l;
}

Bytes read_page_size(const std::optional<YamlNode>& n) {
  if (!n) return Bytes::of(4096);
  const Bytes size = n->bytes();
  const std::uint64_t b = size.count();
  if (b < 512 || (b & (b - 1)) != 0) n->fail("page_size must be a power of two of at least 512B");
  return size;
}

DesktopFigures read_desktop(const YamlNode& n, Bytes page_size) {
  n.expect_keys({"vm_memory", "power", "transitions", "link"});
  DesktopFigures d;
  n.attempt([&] { d.vm_memory = n.at("vm_memory").bytes(); });
  n.attempt([&] { d.power = read_power(n.at("power"), nullptr); });
  n.attempt([&] { d.transitions = read_transitions(n.at("transitions"), nullptr); });
  n.attempt([&] { d.link = read_link(n.at("link"), nullptr); });
  d.page_size = page_size;
  return d;
}

std::optional<ServerPath> read_server_path(const std::optional<YamlNode>& network, const Link& link) {
  ServerPath path{link.latency, link.bandwidth};
  if (!network) return path;
  auto cross = [&](const YamlNode& l) {
    path.latency += l.at("latency").duration();
    path.bottleneck = std::min(path.bottleneck, l.at("bandwidth").bandwidth());
  };
  const YamlNode kind = network->at("topology");
  const std::string topology = kind.text();
  if (topology == "star") {
    cross(network->at("uplink"));
  } else if (topology == "two-tier") {
    cross(network->at("access_uplink"));
    cross(network->at("server_link"));
  } else if (topology == "custom") {
    return std::nullopt;
  } else if (topology != "dedicated") {
    kind.fail(
        fmt::format("unknown topology '{}'; choose one of: dedicated, star, two-tier, custom", topology));
  }
  return path;
}

ScenarioFigures load_scenario_figures(const std::string& path) {
  YamlDocument doc;
  doc.file = path;
  const YAML::Node root = read_yaml_layers(path, doc);
  const YamlNode top(root, "", &doc);
  if (!top.is_map()) top.fail("a scenario is a mapping of keys to values");
  ScenarioFigures f;
  f.desktop = read_desktop(top.at("desktop"), read_page_size(top.find("page_size")));
  f.server_path = read_server_path(top.find("network"), f.desktop.link);
  return f;
}

const ScenarioFigures& default_scenario_figures() {
  static const ScenarioFigures figures = load_scenario_figures(kDefaultScenario);
  return figures;
}

}  // namespace jettison::config
