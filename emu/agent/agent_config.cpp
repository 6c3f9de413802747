#include "emu/agent/agent_config.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <initializer_list>
#include <stdexcept>

#include "common/config/desktop_loader.hpp"
#include "common/config/input_file.hpp"
#include "common/config/yaml_checks.hpp"
#include "common/config/yaml_node.hpp"
#include "common/input_error.hpp"
#include "common/units.hpp"
#include "emu/vm/qemu_flags.hpp"

namespace jettison::emu {
namespace {

using config::YamlDocument;

// A YAML value with its origin ("file:line: key.path") for error messages.
class Field {
 public:
  Field(YAML::Node node, std::string file, std::string path, YAML::Mark mark)
      : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)), mark_(mark) {}

  std::string origin() const {
    const std::string key = path_.empty() ? std::string() : ": " + path_;
    if (mark_.is_null() || mark_.line < 0) return file_ + key;
    return fmt::format("{}:{}{}", file_, mark_.line + 1, key);
  }
  [[noreturn]] void fail(const std::string& message) const { throw InputError(origin(), message); }

  // The mapping's entries, rejecting keys not in `allowed`.
  std::vector<std::pair<std::string, Field>> entries(std::initializer_list<std::string_view> allowed) const {
    if (!node_.IsMap()) fail("expected a mapping of keys to values");
    std::vector<std::pair<std::string, Field>> out;
    for (const auto& kv : node_) {
      const std::string key = kv.first.Scalar();  // a plain word: checked when the file was read
      const std::string path = path_.empty() ? key : path_ + "." + key;
      const Field child(kv.second, file_, path, kv.first.Mark());
      bool known = false;
      for (std::string_view a : allowed) known = known || a == key;
      if (!known) {
        std::string list;
        for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        child.fail(fmt::format("unknown key (expected one of: {})", list));
      }
      out.emplace_back(key, child);
    }
    return out;
  }

  std::string text() const {
    if (!node_.IsScalar()) fail("expected a single value");
    return node_.Scalar();
  }
  bool boolean() const {
    const std::string t = text();
    if (t == "true" || t == "yes" || t == "on") return true;
    if (t == "false" || t == "no" || t == "off") return false;
    fail(fmt::format("'{}' is not true or false", t));
  }
  std::uint64_t unsigned_int(std::uint64_t max) const {
    const std::string t = text();
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size() || v > max)
      fail(fmt::format("'{}' is not a whole number from 0 to {}", t, max));
    return v;
  }
  // Any parser that throws std::invalid_argument / UnitError with what it expected.
  template <class F>
  auto with_unit(F&& parse) const {
    const std::string t = text();
    try {
      return parse(t);
    } catch (const std::exception& e) {
      fail(e.what());
    }
  }

  Duration duration() const { return with_unit(parse_duration); }
  Power power() const { return with_unit(parse_power); }

  // The same value as the shared loaders see it (common/config/yaml_node.hpp), with the same origin.
  config::YamlNode yaml(const config::YamlDocument& doc) const {
    return config::YamlNode(node_, path_, &doc, mark_);
  }

 private:
  YAML::Node node_;
  std::string file_, path_;
  YAML::Mark mark_;
};

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& p) {
  const std::filesystem::path path(p);
  return path.is_absolute() || base.empty() ? path : base / path;
}

void read_tls(const Field& f, DesktopAgentConfig& c, const std::filesystem::path& base) {
  std::string identity;
  std::optional<Field> psk_file;
  std::filesystem::path ca, cert, key;
  bool insecure = false;
  for (const auto& [k, v] :
       f.entries({"psk_file", "psk_identity", "ca", "cert", "key", "insecure_plain_tcp"})) {
    if (k == "psk_file") psk_file = v;
    if (k == "psk_identity") identity = v.text();
    if (k == "ca") ca = resolve(base, v.text());
    if (k == "cert") cert = resolve(base, v.text());
    if (k == "key") key = resolve(base, v.text());
    if (k == "insecure_plain_tcp") insecure = v.boolean();
  }
  const int modes =
      (psk_file ? 1 : 0) + (!ca.empty() || !cert.empty() || !key.empty() ? 1 : 0) + (insecure ? 1 : 0);
  if (modes != 1)
    f.fail("give exactly one of: psk_file (+ psk_identity), ca + cert + key, insecure_plain_tcp: true");
  if (insecure) {
    c.server.tls = TlsConfig::insecure_plain_tcp();
  } else if (psk_file) {
    if (identity.empty()) f.fail("psk_file needs psk_identity");
    try {
      c.server.tls = TlsConfig::psk_from_file(identity, resolve(base, psk_file->text()));
    } catch (const std::exception& e) {
      psk_file->fail(e.what());
    }
  } else {
    if (ca.empty() || cert.empty() || key.empty()) f.fail("certificates need all of ca, cert and key");
    c.server.tls = TlsConfig::certificates(ca, cert, key);
  }
}

void read_power(const Field& f, DesktopAgentConfig& c) {
  auto& e = c.emulated;
  auto& r = c.real;
  bool have_backend = false;
  std::string interface;
  for (const auto& [k, v] :
       f.entries({"backend", "interface", "mac", "password", "udp_port", "raw", "suspend_delay",
                  "resume_selective", "resume_full", "packet_resume", "max_sleep", "initial_state", "dry_run",
                  "allow_suspend", "method", "rtc_wake_after"})) {
    if (k == "backend") {
      c.power = v.with_unit(parse_power_backend);
      have_backend = true;
    } else if (k == "interface") {
      interface = v.text();
    } else if (k == "mac") {
      auto mac = MacAddress::parse(v.text());
      if (!mac) v.fail(fmt::format("'{}' is not a MAC address (like 52:54:00:12:34:56)", v.text()));
      e.listener.mac = *mac;
    } else if (k == "password") {
      auto pw = SecureOnPassword::parse(v.text());
      if (!pw)
        v.fail(fmt::format("'{}' is not a SecureOn password (4 or 6 hex bytes, or a.b.c.d)", v.text()));
      e.listener.password = pw;
      r.wol_password = pw;
    } else if (k == "udp_port") {
      const auto port = static_cast<std::uint16_t>(v.unsigned_int(65535));
      e.listener.udp_port = port == 0 ? std::nullopt : std::optional<std::uint16_t>(port);
    } else if (k == "raw") {
      e.listener.raw = v.boolean();
    } else if (k == "suspend_delay") {
      e.suspend_delay = v.duration();
    } else if (k == "resume_selective") {
      e.resume_selective_delay = v.duration();
    } else if (k == "resume_full") {
      e.resume_full_delay = v.duration();
    } else if (k == "packet_resume") {
      e.packet_resume = v.with_unit(parse_resume_kind);
    } else if (k == "max_sleep") {
      e.max_sleep = v.duration();
    } else if (k == "initial_state") {
      e.initial_state = v.with_unit(parse_power_state);
    } else if (k == "dry_run") {
      r.dry_run = v.boolean();
    } else if (k == "allow_suspend") {
      r.allow_suspend = v.boolean();
    } else if (k == "method") {
      r.method = v.with_unit([](std::string_view t) {
        auto m = parse_suspend_method(t);
        if (!m)
          throw std::invalid_argument(
              fmt::format("'{}' is not one of mem, freeze, logind, logind-busctl", t));
        return *m;
      });
    } else if (k == "rtc_wake_after") {
      r.rtc_wake_after = v.duration();
    }
  }
  if (!have_backend) f.fail("missing key 'backend' (emulated or real)");
  e.listener.interface = interface;
  if (!interface.empty()) r.wol_interface = interface;
}

void read_watts(const Field& f, DesktopAgentConfig& c) {
  PowerTable table = c.watts.value_or(PowerTable{});
  for (const auto& [k, v] : f.entries({"active", "idle", "migrating", "suspending", "asleep", "resuming_full",
                                       "resuming_selective", "serving"})) {
    table[parse_power_state(k)] = v.power();
  }
  c.watts = table;
}

// Bounds on the memory server's connections (MemoryServerConfig::limits, handshake_timeout).
void read_connections(const Field& f, DesktopAgentConfig& c) {
  auto& l = c.server.limits;
  auto count = [](const Field& v) {
    const auto n = static_cast<std::uint32_t>(v.unsigned_int(1'000'000));
    if (n == 0) v.fail("must be at least 1");
    return n;
  };
  for (const auto& [k, v] : f.entries({"max", "max_handshakes", "max_per_peer", "handshake_timeout"})) {
    if (k == "max") l.max_connections = count(v);
    if (k == "max_handshakes") l.max_handshakes = count(v);
    if (k == "max_per_peer") l.max_per_peer = count(v);
    if (k == "handshake_timeout") {
      c.server.handshake_timeout = v.duration();
      if (c.server.handshake_timeout <= Duration{}) v.fail("must be more than 0 s");
    }
  }
}

// The desktop's figures (a `desktop:` section, or a scenario's) as the agent's starting point: its
// watts, and the emulated backend's transition times as the simulator counts them (a wake lasts
// wake_on_lan + the resume). Keys under `power:` and `watts:` then override single values.
void apply_desktop(const config::DesktopFigures& d, DesktopAgentConfig& c) {
  c.watts = d.power;
  c.emulated.suspend_delay = d.transitions.suspend;
  c.emulated.resume_selective_delay = d.transitions.wake_on_lan + d.transitions.resume_selective;
  c.emulated.resume_full_delay = d.transitions.wake_on_lan + d.transitions.resume_full;
}

config::DesktopFigures read_scenario(const Field& f, const std::filesystem::path& base) {
  const std::string text = f.text();
  const std::string path = text.rfind(config::kEmbeddedPrefix, 0) == 0 ? text : resolve(base, text).string();
  if (!config::input_exists(path)) f.fail(fmt::format("cannot open scenario '{}'", path));
  return config::load_scenario_figures(path).desktop;
}

// The `vm:` section: each key into the struct jettison-desktop's --vm-* flags fill (a new key goes
// here and beside its flag in jettison_desktop.cpp's vm_settings()).
DesktopVmSettings read_vm(const Field& f, const std::filesystem::path& base) {
  DesktopVmSettings vm;
  auto existing_file = [&](const Field& v) {
    const std::filesystem::path p = resolve(base, v.text());
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec))
      v.fail(fmt::format("'{}' does not exist or is not a file", p.string()));
    return p;
  };
  for (const auto& [k, v] : f.entries({"kernel", "initrd", "append", "ram", "cpus", "disk", "name", "dir",
                                       "ram_file", "accel", "libvirt"})) {
    if (k == "kernel") {
      vm.kernel = existing_file(v);
    } else if (k == "initrd") {
      vm.initrd = existing_file(v);
    } else if (k == "append") {
      vm.append = v.text();
    } else if (k == "ram") {
      vm.ram_bytes = parse_guest_ram(v.text(), v.origin());
    } else if (k == "cpus") {
      vm.cpus = static_cast<unsigned>(v.unsigned_int(256));
      if (vm.cpus == 0) v.fail("must be at least 1");
    } else if (k == "disk") {
      vm.disk = existing_file(v);
      (void)shared_disk_args(vm.disk.string(), v.origin());  // refuses what QEMU cannot take
    } else if (k == "name") {
      vm.name = v.text();
      const bool plain = !vm.name.empty() && vm.name != "." && vm.name != ".." &&
                         vm.name.find_first_not_of(
                             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "0123456789.-_") == std::string::npos;
      if (!plain) v.fail(fmt::format("'{}' is not a name of letters, digits, '.', '-' and '_'", vm.name));
    } else if (k == "dir") {
      vm.dir = resolve(base, v.text());
    } else if (k == "ram_file") {
      vm.ram_file = resolve(base, v.text());
    } else if (k == "accel") {
      vm.accel = parse_accel(v.text(), v.origin());
    } else if (k == "libvirt") {
      vm.libvirt = v.text();
      if (vm.libvirt.empty() || vm.libvirt.find(":/") == std::string::npos)
        v.fail(fmt::format("'{}' is not a libvirt URI (like qemu:///system)", vm.libvirt));
    }
  }
  if (!vm.enabled()) f.fail("missing key 'kernel' (the guest kernel the VM boots)");
  return vm;
}

}  // namespace

std::filesystem::path DesktopVmSettings::run_dir() const {
  return dir.empty() ? std::filesystem::path("/run/jettison") / name : dir;
}

std::filesystem::path DesktopVmSettings::ram_file_path() const {
  return ram_file.empty() ? std::filesystem::path("/dev/shm") / fmt::format("jettison-{}.ram", name)
                          : ram_file;
}

Endpoint parse_endpoint(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) throw std::invalid_argument("expected [ADDRESS]:PORT");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon)
      throw std::invalid_argument(fmt::format("'{}' is not ADDRESS:PORT (like 10.0.0.1:7000)", text));
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (host.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535)
    throw std::invalid_argument(fmt::format("'{}' is not ADDRESS:PORT (port 0..65535)", text));
  return Endpoint{std::string(host), static_cast<std::uint16_t>(value)};
}

PowerBackendKind parse_power_backend(std::string_view text) {
  if (text == "emulated") return PowerBackendKind::kEmulated;
  if (text == "real") return PowerBackendKind::kReal;
  throw std::invalid_argument(fmt::format("'{}' is not a power backend (emulated or real)", text));
}

PowerState parse_power_state(std::string_view text) {
  for (std::size_t i = 0; i < kPowerStateCount; ++i)
    if (kPowerStateNames[i] == text) return static_cast<PowerState>(i);
  std::string list;
  for (auto n : kPowerStateNames) list += (list.empty() ? "" : ", ") + std::string(n);
  throw std::invalid_argument(fmt::format("'{}' is not a power state ({})", text, list));
}

ResumeKind parse_resume_kind(std::string_view text) {
  if (text == "selective") return ResumeKind::kSelective;
  if (text == "full") return ResumeKind::kFull;
  throw std::invalid_argument(fmt::format("'{}' is not a resume kind (selective or full)", text));
}

AgentFileConfig parse_agent_file(const std::string& text, const std::string& origin,
                                 const std::filesystem::path& base_dir) {
  // Plain keys, each once, UTF-8 everywhere: every such error of the file at once.
  const YAML::Node root = config::load_checked_yaml(text, origin);
  const Field top(root, origin, "", YAML::Mark::null_mark());
  AgentFileConfig file;
  DesktopAgentConfig& c = file.agent;
  c.emulated.initial_state = PowerState::kIdle;
  bool have_image = false, have_listen = false, have_tls = false, have_power = false;
  std::optional<Field> image_field;
  const auto entries = top.entries(
      {"image", "page_size", "listen", "tls", "power", "watts", "desktop", "scenario", "connections", "vm"});
  // The desktop's figures first: the keys below may override them.
  YamlDocument doc;
  doc.file = origin;
  doc.base_file = origin;
  std::optional<std::string> figures_from;
  for (const auto& [k, v] : entries) {
    if (k != "desktop" && k != "scenario") continue;
    if (figures_from)
      v.fail(fmt::format("give either 'desktop' or 'scenario', not both ('{}' is given)", *figures_from));
    figures_from = k;
    if (k == "desktop") {
      // A scenario's desktop section; its page size is the agent's page_size.
      apply_desktop(config::read_desktop(v.yaml(doc), Bytes::of(c.server.page_size)), c);
    } else {
      const config::DesktopFigures d = read_scenario(v, base_dir);
      apply_desktop(d, c);
      if (d.page_size.count() > 65536)
        v.fail(fmt::format("the scenario's page_size {} B is above 64 KiB", d.page_size.count()));
      c.server.page_size = static_cast<std::uint32_t>(d.page_size.count());
    }
  }
  for (const auto& [k, v] : entries) {
    if (k == "image") {
      c.server.image_path = resolve(base_dir, v.text());
      have_image = true;
      image_field = v;
    } else if (k == "page_size") {
      c.server.page_size = static_cast<std::uint32_t>(v.unsigned_int(65536));
    } else if (k == "listen") {
      const Endpoint ep = v.with_unit(parse_endpoint);
      c.server.listen_host = ep.host;
      c.server.port = ep.port;
      have_listen = true;
    } else if (k == "tls") {
      read_tls(v, c, base_dir);
      have_tls = true;
    } else if (k == "power") {
      read_power(v, c);
      have_power = true;
    } else if (k == "watts") {
      read_watts(v, c);
    } else if (k == "connections") {
      read_connections(v, c);
    } else if (k == "vm") {
      file.vm = read_vm(v, base_dir);
    }
  }
  if (file.vm.enabled()) {
    if (image_field) image_field->fail("not with 'vm': the VM's RAM file is the image served (vm.ram_file)");
    c.server.image_path = file.vm.ram_file_path();
    have_image = true;
  }
  if (!have_image) top.fail("missing key 'image' (the memory image file to serve), or 'vm' (a VM to run)");
  if (!have_listen) top.fail("missing key 'listen' (ADDRESS:PORT)");
  if (!have_tls) top.fail("missing key 'tls' (psk_file + psk_identity, certificates or insecure_plain_tcp)");
  if (!have_power) top.fail("missing key 'power' (at least backend: emulated or real)");
  return file;
}

AgentFileConfig load_agent_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string(), "cannot read the agent configuration");
  return parse_agent_file(config::read_config_text(in, path.string()), path.string(), path.parent_path());
}

DesktopAgentConfig parse_agent_config(const std::string& text, const std::string& origin,
                                      const std::filesystem::path& base_dir) {
  return parse_agent_file(text, origin, base_dir).agent;
}

DesktopAgentConfig load_agent_config(const std::filesystem::path& path) {
  return load_agent_file(path).agent;
}

void validate_agent_config(const DesktopAgentConfig& c, const std::string& origin) {
  if (c.server.image_path.empty()) throw InputError(origin, "no memory image given");
  if (c.server.page_size < 4096 || c.server.page_size > 65536 ||
      (c.server.page_size & (c.server.page_size - 1)))
    throw InputError(
        origin, fmt::format("page size {} is not a power of two from 4096 to 65536", c.server.page_size));
  if (c.server.tls.security == Security::kTlsPsk && c.server.tls.psk_key.empty())
    throw InputError(origin, "no TLS pre-shared key given (or choose certificates / insecure plain TCP)");
  if (c.power == PowerBackendKind::kEmulated && c.emulated.listener.interface.empty())
    throw InputError(origin, "the emulated power backend needs an interface to listen on for magic packets");
  if (c.power == PowerBackendKind::kEmulated && !c.emulated.listener.udp_port && !c.emulated.listener.raw)
    throw InputError(origin, "magic packets need a UDP port or raw frames (or both)");
}

}  // namespace jettison::emu
