#include "emu/server/server_config.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <stdexcept>
#include <utility>

#include "common/config/desktop_loader.hpp"
#include "common/config/desktop_sleep_costs.hpp"
#include "common/config/input_file.hpp"
#include "common/config/yaml_checks.hpp"
#include "common/config/yaml_node.hpp"
#include "common/input_error.hpp"
#include "common/units.hpp"
#include "emu/agent/agent_config.hpp"
#include "emu/fetch/fetcher.hpp"
#include "emu/power/mac_address.hpp"
#include "emu/server/sleep_controller.hpp"
#include "emu/vm/qemu_flags.hpp"
#include "emu/wire/tls_config.hpp"

namespace jettison::emu {
namespace {

using config::YamlNode;

// Runs `check`; an exception it throws becomes the error of `n` (file:line: key), without the
// origin an InputError already put in front of its message.
template <class F>
void check_at(const YamlNode& n, F&& check) {
  try {
    check();
  } catch (const InputError& e) {
    std::string what = e.what();
    if (!e.origin().empty() && what.rfind(e.origin() + ": ", 0) == 0) what.erase(0, e.origin().size() + 2);
    n.fail(what);
  } catch (const std::exception& e) {
    n.fail(e.what());
  }
}

std::string path_at(const YamlNode& n, const std::filesystem::path& base) {
  const std::filesystem::path p(n.text());
  return (p.is_absolute() || base.empty() ? p : base / p).string();
}

// A duration's text, checked (positive unless `zero_ok`).
std::string duration_text(const YamlNode& n, bool zero_ok) {
  const Duration d = n.duration();
  if (d < Duration() || (!zero_ok && d == Duration()))
    n.fail(zero_ok ? "must not be negative" : "must be positive");
  return n.text();
}

std::uint32_t small_count(const YamlNode& n, std::uint64_t max) {
  const std::uint64_t v = n.unsigned_int();
  if (v > max) n.fail(fmt::format("{} is above {}", v, max));
  return static_cast<std::uint32_t>(v);
}

void read_tls(const YamlNode& n, ServerOptions& o, const std::filesystem::path& base) {
  n.expect_keys({"psk_file", "psk_identity", "ca", "cert", "key", "insecure_plain_tcp"});
  const auto file = n.find("psk_file");
  const auto identity = n.find("psk_identity");
  const auto insecure = n.find("insecure_plain_tcp");
  const bool plain = insecure && insecure->boolean();
  const bool certificates = n.has("ca") || n.has("cert") || n.has("key");
  if (static_cast<int>(plain) + static_cast<int>(static_cast<bool>(file)) + static_cast<int>(certificates) !=
      1)
    n.fail("give exactly one of: psk_file (+ psk_identity), ca + cert + key, insecure_plain_tcp: true");
  if (identity && !file) identity->fail("only with psk_file");
  // The file's TLS replaces the base's, whichever kind that was.
  for (std::string* v :
       {&o.remote.psk_file, &o.remote.psk_identity, &o.remote.ca, &o.remote.cert, &o.remote.key})
    v->clear();
  o.remote.insecure = plain;
  if (plain) return;
  if (certificates) {
    for (const char* k : {"ca", "cert", "key"}) {
      const auto v = n.find(k);
      if (!v) n.fail_missing(k, "certificates need all of ca, cert and key");
      if (!std::filesystem::exists(path_at(*v, base)))
        v->fail(fmt::format("'{}' does not exist", path_at(*v, base)));
    }
    o.remote.ca = path_at(n.at("ca"), base);
    o.remote.cert = path_at(n.at("cert"), base);
    o.remote.key = path_at(n.at("key"), base);
    return;
  }
  if (!identity) n.fail_missing("psk_identity", "the identity the desktop's config names");
  o.remote.psk_identity = identity->text();
  o.remote.psk_file = path_at(*file, base);
  check_at(*file, [&] { (void)TlsConfig::psk_from_file(o.remote.psk_identity, o.remote.psk_file); });
}

void read_wake(const YamlNode& n, ServerOptions& o) {
  n.expect_keys({"interface", "mac", "password", "raw"});
  const auto interface = n.find("interface");
  if (!interface) n.fail_missing("interface", "where the magic packets go out");
  const auto mac = n.find("mac");
  if (!mac) n.fail_missing("mac", "the desktop NIC's MAC address");
  o.remote.wol_interface = interface->text();
  if (!MacAddress::parse(mac->text()))
    mac->fail(fmt::format("'{}' is not a MAC address (like 52:54:00:12:34:56)", mac->text()));
  o.remote.desktop_mac = mac->text();
  if (const auto pw = n.find("password")) {
    if (!SecureOnPassword::parse(pw->text()))
      pw->fail(fmt::format("'{}' is not a SecureOn password (4 or 6 hex bytes, or a.b.c.d)", pw->text()));
    o.remote.wol_password = pw->text();
  }
  if (const auto raw = n.find("raw")) o.remote.wol_raw = raw->boolean();
}

void read_qemu(const YamlNode& n, ServerOptions& o, const std::filesystem::path& base) {
  n.expect_keys({"run_dir", "ram_dir", "handoff_library", "accel", "max_guest_ram", "libvirt",
                 "dirty_tracking", "adopt"});
  o.qemu = true;
  for (const auto& [k, v] : n.entries()) {
    if (k == "run_dir") o.run_dir = path_at(v, base);
    if (k == "ram_dir") o.ram_dir = path_at(v, base);
    if (k == "handoff_library") o.handoff_library = path_at(v, base);
    if (k == "accel") {
      check_at(v, [&node = v] { (void)parse_accel(node.text(), "accel"); });
      o.accel = v.text();
    }
    if (k == "max_guest_ram") {
      if (v.bytes() == Bytes()) v.fail("must be more than 0 B");
      o.max_guest_ram = v.text();
    }
    if (k == "libvirt") o.libvirt = v.text();
    if (k == "dirty_tracking") o.no_dirty_tracking = !v.boolean();
    if (k == "adopt") o.adopt = v.boolean();
  }
  if (!o.libvirt.empty() && o.adopt)
    n.fail("adopt is not possible with libvirt (a domain ends with its server)");
}

void read_vm(const YamlNode& n, ServerOptions& o, const std::filesystem::path& base) {
  n.expect_keys({"qemu", "uffd_socket"});
  const auto qemu = n.find("qemu");
  const auto socket = n.find("uffd_socket");
  if (static_cast<bool>(qemu) == static_cast<bool>(socket)) n.fail("give exactly one of: qemu, uffd_socket");
  o.local_region = false;
  if (qemu) {
    o.uffd_socket.clear();
    read_qemu(*qemu, o, base);
  } else {
    o.qemu = false;
    o.uffd_socket = path_at(*socket, base);
  }
}

void read_prefetch(const YamlNode& n, ServerOptions& o) {
  n.expect_keys({"prefetcher", "radius"});
  if (const auto r = n.find("radius")) {
    o.radius = small_count(*r, 1u << 20);
    if (o.radius == 0) r->fail("must be at least 1");
  }
  if (const auto p = n.find("prefetcher")) {
    policy::PrefetchParams params;
    params.radius = o.radius;
    check_at(*p, [&] { (void)make_prefetcher(p->text(), params, {1, Bytes::of(4096)}); });
    o.prefetch = p->text();
  }
}

void read_sleep(const YamlNode& n, ServerOptions& o) {
  n.expect_keys({"rule", "timeout", "trust", "history"});
  for (const auto& [k, v] : n.entries()) {
    if (k == "timeout") o.sleep.timeout = duration_text(v, true);
    if (k == "history") {
      o.sleep.history = small_count(v, 1u << 20);
      if (o.sleep.history == 0) v.fail("must be at least 1");
    }
    if (k == "trust") {
      const std::string t = v.text();
      double trust = 0;
      try {
        std::size_t used = 0;
        trust = std::stod(t, &used);
        if (used != t.size()) throw std::invalid_argument(t);
      } catch (const std::exception&) {
        v.fail(fmt::format("'{}' is not a number", t));
      }
      if (!(trust > 0.0 && trust <= 1.0)) v.fail(fmt::format("expected a number in (0, 1], got {}", t));
      o.sleep.trust = trust;
    }
  }
  if (const auto rule = n.find("rule")) {
    // The name checked as jettison-server checks --sleep (offline rules are refused).
    check_at(*rule,
             [&] { (void)make_sleep_scheduler(rule->text(), policy::SleepParams{}, default_sleep_costs()); });
    o.sleep.rule = rule->text();
  }
}

// The sleep rule's costs from the desktop's figures, as the simulator derives them for a desktop
// on a dedicated link (`desktop:`) or on the scenario's path to its first server (`scenario:`).
policy::SleepCosts costs_from_desktop(const YamlNode& n) {
  const config::DesktopFigures d = config::read_desktop(n, Bytes::of(4096));
  return config::sleep_costs(d, policy::ResumeKind::kSelective,
                             *config::read_server_path(std::nullopt, d.link));
}

policy::SleepCosts costs_from_scenario(const YamlNode& n, const std::filesystem::path& base) {
  const std::string text = n.text();
  const std::string path = text.rfind(config::kEmbeddedPrefix, 0) == 0 ? text : path_at(n, base);
  if (!config::input_exists(path)) n.fail(fmt::format("cannot open scenario '{}'", path));
  const config::ScenarioFigures f = config::load_scenario_figures(path);
  if (!f.server_path)
    n.fail("the scenario's network is a custom topology: give its desktop section under 'desktop:' instead");
  return config::sleep_costs(f.desktop, policy::ResumeKind::kSelective, *f.server_path);
}

}  // namespace

ServerOptions parse_server_config(const std::string& text, const std::string& origin,
                                  const std::filesystem::path& base_dir, ServerOptions o) {
  // Plain keys, each once, UTF-8 everywhere: every such error of the file at once.
  const YAML::Node root = config::load_checked_yaml(text, origin);
  config::YamlDocument doc;
  doc.file = origin;
  doc.base_file = origin;
  const YamlNode top(root, "", &doc);
  top.expect_keys({"connect", "connect_timeout", "give_up_after", "tls", "wake_on_lan", "vm", "prefetch",
                   "sleep", "desktop", "scenario", "control", "out", "periods", "write_back",
                   "verify_write_back", "log_level"});
  if (top.has("desktop") && top.has("scenario"))
    top.at("scenario").fail("give either 'desktop' or 'scenario', not both");
  for (const auto& [k, v] : top.entries()) {
    if (k == "connect") {
      check_at(v, [&node = v] { (void)parse_endpoint(node.text()); });
      o.remote.connect = v.text();
    } else if (k == "connect_timeout") {
      o.remote.connect_timeout = duration_text(v, false);
    } else if (k == "give_up_after") {
      o.remote.give_up_after = duration_text(v, false);
    } else if (k == "tls") {
      read_tls(v, o, base_dir);
    } else if (k == "wake_on_lan") {
      read_wake(v, o);
    } else if (k == "vm") {
      read_vm(v, o, base_dir);
    } else if (k == "prefetch") {
      read_prefetch(v, o);
    } else if (k == "sleep") {
      read_sleep(v, o);
    } else if (k == "desktop") {
      o.sleep_costs = costs_from_desktop(v);
    } else if (k == "scenario") {
      o.sleep_costs = costs_from_scenario(v, base_dir);
    } else if (k == "control") {
      o.control = path_at(v, base_dir);
    } else if (k == "out") {
      o.out = path_at(v, base_dir);
    } else if (k == "periods") {
      o.periods = small_count(v, 1'000'000'000);
    } else if (k == "write_back") {
      o.no_write_back = !v.boolean();
    } else if (k == "verify_write_back") {
      o.verify_write_back = v.boolean();
    } else if (k == "log_level") {
      const std::string level = v.text();
      if (level != "trace" && level != "debug" && level != "info" && level != "warn" && level != "error" &&
          level != "off")
        v.fail(fmt::format("'{}' is not one of trace, debug, info, warn, error, off", level));
      o.log_level = level;
    }
  }
  if (o.remote.connect.empty()) top.fail_missing("connect", "ADDRESS:PORT of the desktop agent");
  if (!top.has("tls")) top.fail_missing("tls", "psk_file + psk_identity, or insecure_plain_tcp: true");
  return o;
}

ServerOptions load_server_config(const std::filesystem::path& path, ServerOptions base) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string(), "cannot read the server configuration");
  return parse_server_config(config::read_config_text(in, path.string()), path.string(), path.parent_path(),
                             std::move(base));
}

}  // namespace jettison::emu
