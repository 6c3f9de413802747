#include "sim/scenario/server_loader.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <unordered_set>

namespace jettison::sim {

double read_number_in(const YamlNode& n, double lo, double hi) {
  const std::string text = n.text();
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(v) || v < lo || v > hi) {
    n.fail(fmt::format("'{}' is not a number between {} and {}", text, lo, hi));
  }
  return v;
}

namespace {

ServerPowerSpec read_server_power(const YamlNode& n) {
  n.expect_keys({"model", "per_vm", "idle", "max", "table", "vm_load"});
  ServerPowerSpec p;
  const YamlNode model = n.at("model");
  const std::string name = model.text();
  auto only = [&](std::initializer_list<std::string_view> keys, std::string_view for_model) {
    for (std::string_view k : {"per_vm", "idle", "max", "table", "vm_load"}) {
      if (!n.has(k)) continue;
      bool allowed = false;
      for (std::string_view a : keys) allowed = allowed || a == k;
      if (!allowed) n.at(k).fail(fmt::format("does not apply to the '{}' power model", for_model));
    }
  };
  if (name == "per-vm") {
    only({"per_vm"}, name);
    p.model = ServerPowerSpec::Model::kPerVm;
    p.per_vm = n.at("per_vm").power();
    if (p.per_vm.watts() < 0) n.at("per_vm").fail("must not be negative");
    return p;
  }
  if (name == "linear") {
    only({"idle", "max", "vm_load"}, name);
    p.model = ServerPowerSpec::Model::kLinear;
    const Power idle = n.at("idle").power();
    const Power max = n.at("max").power();
    if (auto bad = ServerPowerModel::check_linear(idle, max)) n.fail(*bad);
    p.curve = ServerPowerModel::linear(idle, max);
  } else if (name == "table") {
    only({"table", "vm_load"}, name);
    p.model = ServerPowerSpec::Model::kTable;
    const YamlNode table = n.at("table");
    const auto items = table.items();
    if (items.size() != 11) {
      table.fail(fmt::format("needs 11 draws (at 0%, 10%, ..., 100% utilisation), got {}", items.size()));
    }
    ServerPowerModel::Table points;
    for (std::size_t i = 0; i < 11; ++i) points[i] = items[i].power();
    if (auto bad = ServerPowerModel::check_table(points)) table.fail(*bad);
    p.curve = ServerPowerModel::table(points);
  } else {
    model.fail(fmt::format("unknown server power model '{}'; choose one of: per-vm, linear, table", name));
  }
  p.vm_load = read_number_in(n.at("vm_load"), 0.0, 1.0);
  return p;
}

}  // namespace

void read_servers(const YamlNode& n, Scenario& s) {
  n.expect_keys({"count", "list", "memory", "placement", "when_full", "power", "add_to_total"});
  ServersSpec& out = s.servers;
  Bytes memory;
  n.attempt([&] {
    memory = n.at("memory").bytes();
    if (memory.count() == 0) n.at("memory").fail("must be positive");
  });
  n.attempt([&] {
    if (auto list = n.find("list")) {
      if (n.has("count")) n.fail("give either 'count' or 'list', not both");
      std::unordered_set<std::string> seen;
      for (const YamlNode& e : list->items()) {
        e.attempt([&] {
          e.expect_keys({"id", "memory"});
          ServerSpec spec{e.at("id").text(), memory};
          if (spec.id.empty()) e.at("id").fail("a server needs a name");
          if (!seen.insert(spec.id).second)
            e.at("id").fail(fmt::format("server '{}' is listed twice", spec.id));
          if (auto m = e.find("memory")) {
            spec.memory = m->bytes();
            if (spec.memory.count() == 0) m->fail("must be positive");
          }
          out.list.push_back(std::move(spec));
        });
      }
      if (list->items().empty()) list->fail("needs at least one server");
    } else {
      std::uint64_t count = 1;
      if (auto c = n.find("count")) {
        count = c->unsigned_int();
        if (count == 0 || count > 10000) c->fail("must be between 1 and 10000");
      }
      for (std::uint64_t i = 0; i < count; ++i) out.list.push_back({fmt::format("s{}", i), memory});
    }
  });
  n.attempt([&] {
    auto p = n.find("placement");
    if (!p) return;
    const std::string v = p->text();
    if (v == "first-fit")
      out.placement = Placement::kFirstFit;
    else if (v == "least-loaded")
      out.placement = Placement::kLeastLoaded;
    else
      p->fail(fmt::format("'{}' is not one of: first-fit, least-loaded", v));
  });
  n.attempt([&] {
    auto w = n.find("when_full");
    if (!w) return;
    const std::string v = w->text();
    if (v == "sleep-only")
      out.when_full = WhenFull::kSleepOnly;
    else if (v == "stay-on")
      out.when_full = WhenFull::kStayOn;
    else
      w->fail(fmt::format("'{}' is not one of: sleep-only, stay-on", v));
  });
  n.attempt([&] { out.power = read_server_power(n.at("power")); });
  n.attempt([&] {
    if (auto a = n.find("add_to_total")) out.add_to_total = a->boolean();
  });
}

}  // namespace jettison::sim
