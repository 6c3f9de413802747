// jettison-desktop: the desktop agent. Serves a memory image over the wire protocol and sleeps when
// the consolidation server says so (emulated power for tests and labs; real power only with
// --allow-suspend, dry-run otherwise). On SIGINT/SIGTERM it stops cleanly and prints the time in
// each power state (and the energy, when watts are configured).
//
// With --vm-kernel (or a `vm:` section in --config) it runs the desktop's VM, its record in --vm-dir: a VM
// that is away when the agent stops stays as it is, and an agent started again on the same --vm-dir adopts it
// (or, when its QEMU is gone, holds it as its RAM file and saved device state, for the server or
// `take-back`).
// With --vm-libvirt URI (vm.libvirt) the VM is a domain of that libvirt daemon instead of a QEMU child;
// a restarted agent finds it again by name on that URI.
//
//   jettison-desktop --image vm.ram --listen 10.0.0.1:7000 --psk-file psk.hex --psk-identity desk-1
//                    --interface eth0 --power emulated --resume-selective 0.7s
//   jettison-desktop --config agent.yaml [flags that override it]
#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/input_error.hpp"
#include "common/units.hpp"
#include "emu/agent/agent_config.hpp"
#include "emu/agent/desktop_agent.hpp"
#include "emu/agent/desktop_session.hpp"
#include "emu/agent/vm_adoption.hpp"
#include "emu/tool/cli_main.hpp"
#include "emu/vm/qemu_desktop_vm.hpp"
#include "emu/vm/qemu_flags.hpp"

namespace {

using namespace jettison;
using namespace jettison::emu;

// `parse(text)` for flag `flag`, or InputError("--flag", what was wrong).
template <class F>
auto flag_value(const std::string& flag, const std::string& text, F&& parse) {
  try {
    return parse(text);
  } catch (const std::exception& e) {
    throw InputError(flag, e.what());
  }
}

struct Flags {
  std::string config, image, listen, psk_file, psk_identity, ca, cert, key, interface, mac, password, power;
  std::string suspend_delay, resume_selective, resume_full, packet_resume, max_sleep, initial_state, method,
      rtc_wake_after, log_level = "info", run_for;
  // The desktop's VM (QEMU), when it runs one; the control socket; automatic moves.
  // The VM's flags override single keys of the config's `vm:` (defaults: DesktopVmSettings).
  std::string vm_kernel, vm_initrd, vm_append, vm_ram, vm_name, vm_dir, vm_ram_file, accel, control,
      take_back_after, go_idle_after, vm_libvirt;
  unsigned vm_cpus = 1;
  std::string vm_disk, trigger = "idle-time";
  // Connection bounds (0: the configuration's or the default).
  std::uint32_t max_connections = 0, max_handshakes = 0, max_per_peer = 0;
  std::string handshake_timeout;
  std::vector<std::string> watts;
  std::uint32_t page_size = 0;
  double speed = 1.0;
  int udp_port = -1;
  bool insecure = false, no_raw = false, dry_run = false, allow_suspend = false;
};

// The VM: the config's `vm:` section with single keys overridden by the --vm-* flags given.
DesktopVmSettings vm_settings(const Flags& f, const CLI::App& app, DesktopVmSettings vm) {
  auto given = [&](const char* name) { return app.count(name) > 0; };
  if (given("--vm-kernel")) vm.kernel = f.vm_kernel;
  if (given("--vm-initrd")) vm.initrd = f.vm_initrd;
  if (given("--vm-append")) vm.append = f.vm_append;
  if (given("--vm-ram")) vm.ram_bytes = parse_guest_ram(f.vm_ram, "--vm-ram");
  if (given("--vm-cpus")) vm.cpus = f.vm_cpus;
  if (given("--vm-disk")) vm.disk = f.vm_disk;
  if (given("--vm-name")) vm.name = f.vm_name;
  if (given("--vm-dir")) vm.dir = f.vm_dir;
  if (given("--vm-ram-file")) vm.ram_file = f.vm_ram_file;
  if (given("--accel")) vm.accel = parse_accel(f.accel, "--accel");
  if (given("--vm-libvirt")) {
    if (f.vm_libvirt.find(":/") == std::string::npos)
      throw InputError("--vm-libvirt",
                       fmt::format("'{}' is not a libvirt URI (like qemu:///system)", f.vm_libvirt));
    vm.libvirt = f.vm_libvirt;
  }
  if (!vm.enabled()) {
    for (const char* flag : {"--vm-initrd", "--vm-append", "--vm-ram", "--vm-dir", "--vm-ram-file",
                             "--vm-cpus", "--vm-disk", "--vm-name", "--accel", "--vm-libvirt"})
      if (given(flag))
        throw InputError(flag, "only with --vm-kernel or a vm: section in --config (a VM to run)");
  }
  return vm;
}

DesktopAgentConfig build_config(const Flags& f, const CLI::App& app, DesktopAgentConfig c,
                                const DesktopVmSettings& vm) {
  auto given = [&](const char* name) { return app.count(name) > 0; };
  if (given("--image")) c.server.image_path = f.image;
  if (given("--page-size")) c.server.page_size = f.page_size;
  if (given("--listen")) {
    const Endpoint ep = flag_value("--listen", f.listen, parse_endpoint);
    c.server.listen_host = ep.host;
    c.server.port = ep.port;
  } else if (f.config.empty()) {
    throw InputError("--listen", "required (ADDRESS:PORT), or give --config");
  }
  if (given("--psk-file") || given("--psk-identity")) {
    if (f.psk_file.empty() || f.psk_identity.empty())
      throw InputError("--psk-file", "--psk-file and --psk-identity go together");
    c.server.tls = flag_value("--psk-file", f.psk_file, [&](const std::string& p) {
      return TlsConfig::psk_from_file(f.psk_identity, p);
    });
  } else if (given("--ca") || given("--cert") || given("--key")) {
    if (f.ca.empty() || f.cert.empty() || f.key.empty())
      throw InputError("--ca", "certificates need --ca, --cert and --key");
    c.server.tls = TlsConfig::certificates(f.ca, f.cert, f.key);
  } else if (f.insecure) {
    c.server.tls = TlsConfig::insecure_plain_tcp();
  }
  if (given("--power")) c.power = flag_value("--power", f.power, parse_power_backend);
  if (given("--interface")) {
    c.emulated.listener.interface = f.interface;
    c.real.wol_interface = f.interface;
  }
  if (given("--mac")) {
    auto mac = MacAddress::parse(f.mac);
    if (!mac)
      throw InputError("--mac", fmt::format("'{}' is not a MAC address (like 52:54:00:12:34:56)", f.mac));
    c.emulated.listener.mac = *mac;
  }
  if (given("--wol-password")) {
    auto pw = SecureOnPassword::parse(f.password);
    if (!pw) throw InputError("--wol-password", fmt::format("'{}' is not a SecureOn password", f.password));
    c.emulated.listener.password = pw;
    c.real.wol_password = pw;
  }
  if (given("--wol-udp-port")) {
    if (f.udp_port < 0 || f.udp_port > 65535)
      throw InputError("--wol-udp-port", "expected 0..65535 (0: no UDP)");
    c.emulated.listener.udp_port =
        f.udp_port == 0 ? std::nullopt : std::optional<std::uint16_t>(static_cast<std::uint16_t>(f.udp_port));
  }
  if (f.no_raw) c.emulated.listener.raw = false;
  auto duration = [&](const char* flag, const std::string& text) {
    return flag_value(flag, text, [](const std::string& t) { return parse_duration(t); });
  };
  if (given("--suspend-delay")) c.emulated.suspend_delay = duration("--suspend-delay", f.suspend_delay);
  if (given("--resume-selective"))
    c.emulated.resume_selective_delay = duration("--resume-selective", f.resume_selective);
  if (given("--resume-full")) c.emulated.resume_full_delay = duration("--resume-full", f.resume_full);
  if (given("--max-sleep")) c.emulated.max_sleep = duration("--max-sleep", f.max_sleep);
  if (given("--packet-resume"))
    c.emulated.packet_resume = flag_value("--packet-resume", f.packet_resume, parse_resume_kind);
  if (given("--initial-state"))
    c.emulated.initial_state = flag_value("--initial-state", f.initial_state, parse_power_state);
  if (f.dry_run) c.real.dry_run = true;
  if (f.allow_suspend) c.real.allow_suspend = true;
  if (given("--suspend-method")) {
    auto m = parse_suspend_method(f.method);
    if (!m)
      throw InputError("--suspend-method",
                       fmt::format("'{}' is not mem, freeze, logind or logind-busctl", f.method));
    c.real.method = *m;
  }
  if (given("--rtc-wake-after")) c.real.rtc_wake_after = duration("--rtc-wake-after", f.rtc_wake_after);
  for (const std::string& w : f.watts) {
    const auto eq = w.find('=');
    if (eq == std::string::npos)
      throw InputError("--watts", fmt::format("'{}' is not STATE=POWER (like asleep=2W)", w));
    if (!c.watts) c.watts = PowerTable{};
    const PowerState s = flag_value("--watts", w.substr(0, eq), parse_power_state);
    (*c.watts)[s] =
        flag_value("--watts", w.substr(eq + 1), [](const std::string& t) { return parse_power(t); });
  }
  if (given("--max-connections")) c.server.limits.max_connections = f.max_connections;
  if (given("--max-handshakes")) c.server.limits.max_handshakes = f.max_handshakes;
  if (given("--max-per-peer")) c.server.limits.max_per_peer = f.max_per_peer;
  if (given("--handshake-timeout")) {
    c.server.handshake_timeout = duration("--handshake-timeout", f.handshake_timeout);
    if (c.server.handshake_timeout <= Duration{})
      throw InputError("--handshake-timeout", "must be more than 0 s");
  }
  if (given("--speed") && f.speed != 1.0) {
    // A replay at --speed S runs its sleep rule on trace time; the emulated transitions shrink alike.
    if (c.power != PowerBackendKind::kEmulated)
      throw InputError("--speed", "only with the emulated power backend (a real suspend takes its own time)");
    auto scale = [&](Duration d) {
      return Duration::micros(static_cast<std::int64_t>(std::llround(static_cast<double>(d.us()) / f.speed)));
    };
    c.emulated.suspend_delay = scale(c.emulated.suspend_delay);
    c.emulated.resume_selective_delay = scale(c.emulated.resume_selective_delay);
    c.emulated.resume_full_delay = scale(c.emulated.resume_full_delay);
    if (c.emulated.max_sleep) c.emulated.max_sleep = scale(*c.emulated.max_sleep);
  }
  // With a VM, the image served is its RAM file (created when the VM starts).
  if (vm.enabled()) {
    if (given("--image"))
      throw InputError("--image",
                       "not with a VM (--vm-kernel or vm:): the VM's RAM file is the image served");
    c.server.image_path = vm.ram_file_path();
  }
  validate_agent_config(c, f.config.empty() ? "flags" : f.config);
  return c;
}

struct BuiltVm {
  OpenedDesktopVm opened;
  std::shared_ptr<const VmRecordStore> record;
};

BuiltVm build_vm(const DesktopVmSettings& vm) {
  if (!vm.enabled()) return {};
  QemuDesktopVmConfig c;
  c.guest.name = vm.name;
  c.guest.kernel = vm.kernel;
  c.guest.initrd = vm.initrd;
  c.guest.append = vm.append;
  c.guest.vcpus = vm.cpus;
  if (!vm.disk.empty()) {
    // The disk is not migrated: the server opens the same file (shared storage; the same path there).
    if (!std::filesystem::exists(vm.disk))
      throw InputError("--vm-disk", fmt::format("'{}' does not exist", vm.disk.string()));
    c.guest.extra_args = shared_disk_args(vm.disk.string(), "--vm-disk");
  }
  c.guest.ram_bytes = vm.ram_bytes;
  c.guest.accel = vm.accel;
  c.guest.serial_log = vm.run_dir() / "serial.log";
  c.run_dir = vm.run_dir();
  c.guest.ram_file = vm.ram_file_path();
  for (const auto& file : {c.guest.kernel, c.guest.initrd})
    if (!file.empty() && !std::filesystem::exists(file))
      throw InputError(
          file == c.guest.kernel ? "--vm-kernel" : "--vm-initrd",
          fmt::format("'{}' does not exist (scripts/build-guest.sh builds a test guest)", file.string()));
  (void)find_qemu();  // before anything starts: a clear error when QEMU is missing
  auto record = std::make_shared<const VmRecordStore>(c.run_dir);
  if (!vm.libvirt.empty()) {
    // The VM as a libvirt domain (README "Under libvirt"); its record names the domain and the URI.
#ifdef JETTISON_HAVE_LIBVIRT
    LibvirtDesktopVmConfig l;
    l.uri = vm.libvirt;
    l.guest = std::move(c.guest);
    l.run_dir = c.run_dir;
    l.boot_timeout = c.boot_timeout;
    OpenedDesktopVm opened = open_libvirt_desktop_vm(std::move(l), *record);
    return {std::move(opened), std::move(record)};
#else
    throw InputError("--vm-libvirt", "this build has no libvirt backend (install libvirt-dev and rebuild)");
#endif
  }
  OpenedDesktopVm opened = open_qemu_desktop_vm(std::move(c), *record);
  return {std::move(opened), std::move(record)};
}

int run(const Flags& f, const CLI::App& app) {
  DesktopSessionConfig config;
  AgentFileConfig file;
  file.agent.emulated.initial_state = PowerState::kIdle;
  if (!f.config.empty()) file = load_agent_file(f.config);
  const DesktopVmSettings vm = vm_settings(f, app, file.vm);
  config.agent = build_config(f, app, file.agent, vm);
  config.control_socket = f.control;
  auto duration = [](const char* flag, const std::string& text) -> std::optional<Duration> {
    if (text.empty()) return std::nullopt;
    return flag_value(flag, text, [](const std::string& t) { return parse_duration(t); });
  };
  const std::optional<Duration> run_for = duration("--run-for", f.run_for);
  config.take_back_after = duration("--take-back-after", f.take_back_after);
  config.go_idle_after = duration("--go-idle-after", f.go_idle_after);
  config.trigger_rule = f.trigger;
  // What the trigger weighs: each second migrated saves idle minus asleep power; the move itself
  // costs about a second awake at migrating power (device state only, measured well under that).
  if (config.agent.watts) {
    const PowerTable& w = *config.agent.watts;
    config.trigger_costs.saving = w[PowerState::kIdle] - w[PowerState::kAsleep];
    config.trigger_costs.overhead = w[PowerState::kMigrating] * Duration::seconds(1);
  }

  // Every thread the agent starts inherits this mask, so the signals reach sigtimedwait() below only.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  BuiltVm built = build_vm(vm);
  config.vm_record = built.record;
  DesktopSession session(std::move(config), std::move(built.opened.vm), std::move(built.opened.resume));
  DesktopAgent& agent = session.agent();
  spdlog::info("jettison-desktop: serving {} on {}:{} ({} power{}){}; SIGINT/SIGTERM to stop",
               agent.config().server.image_path.string(), agent.config().server.listen_host, agent.port(),
               agent.backend_name(), session.vm() ? ", with its VM" : "",
               f.control.empty() ? "" : fmt::format("; control socket {}", f.control));
  const auto started = std::chrono::steady_clock::now();
  const std::string why = session.run([&]() -> std::string {
    const timespec zero{0, 0};
    const int sig = sigtimedwait(&signals, nullptr, &zero);
    if (sig == SIGINT || sig == SIGTERM) return sig == SIGINT ? "SIGINT received" : "SIGTERM received";
    if (run_for && std::chrono::steady_clock::now() - started >= std::chrono::microseconds(run_for->us()))
      return "--run-for elapsed";
    return {};
  });
  spdlog::info("jettison-desktop: {}, stopping", why);
  agent.stop();
  const DesktopAgentStats s = agent.stats();
  fmt::print(
      "jettison-desktop: {} sleeps, {} woken by magic packets, {} pages served ({} zero), {} refused\n",
      s.sleeps, s.wakeups, s.server.pages_served, s.server.zero_pages_served, s.server.refused);
  fmt::print("time per power state:\n{}", agent.report());
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "jettison-desktop: serve a VM's memory image to the consolidation server and sleep on request"};
  Flags f;
  const ConnectionLimitsConfig kDefaultLimits;
  app.add_option("--config", f.config, "agent configuration (YAML); flags override it");
  app.add_option("--image", f.image, "memory image file to serve");
  app.add_option("--page-size", f.page_size, "page size in bytes (default 4096)");
  app.add_option("--listen", f.listen, "ADDRESS:PORT to serve on");
  app.add_option("--psk-file", f.psk_file, "TLS pre-shared key (hex)");
  app.add_option("--psk-identity", f.psk_identity, "TLS pre-shared key identity");
  app.add_option("--ca", f.ca, "TLS certificates: CA file (PEM)");
  app.add_option("--cert", f.cert, "TLS certificates: own certificate chain (PEM)");
  app.add_option("--key", f.key, "TLS certificates: own private key (PEM)");
  app.add_flag("--insecure-plain-tcp", f.insecure, "no TLS (benchmarks only)");
  const auto limit = [&app](const char* name, std::uint32_t& value, const char* what,
                            std::uint32_t fallback) {
    app.add_option(name, value, fmt::format("{} (default {})", what, fallback))
        ->check(CLI::Range(1u, 1'000'000u));
  };
  limit("--max-connections", f.max_connections, "connections open at once (more are closed at once)",
        kDefaultLimits.max_connections);
  limit("--max-handshakes", f.max_handshakes, "connections in their handshake (TLS + HELLO) at once",
        kDefaultLimits.max_handshakes);
  limit("--max-per-peer", f.max_per_peer, "connections in their handshake from one address",
        kDefaultLimits.max_per_peer);
  app.add_option("--handshake-timeout", f.handshake_timeout,
                 fmt::format("from accept to HELLO, TLS included, or the connection is closed (default {}s)",
                             MemoryServerConfig{}.handshake_timeout.seconds_f()));
  app.add_option("--power", f.power, "power backend: emulated or real")
      ->check(CLI::IsMember({"emulated", "real"}));
  app.add_option("--interface", f.interface, "network interface for magic packets");
  app.add_option("--mac", f.mac, "MAC a magic packet must name (default: the interface's)");
  app.add_option("--wol-password", f.password, "SecureOn password a magic packet must carry");
  app.add_option("--wol-udp-port", f.udp_port, "UDP port for magic packets (default 9; 0: none)");
  app.add_flag("--no-raw", f.no_raw, "do not listen for EtherType 0x0842 frames");
  app.add_option("--suspend-delay", f.suspend_delay, "emulated: time to enter sleep (e.g. 100ms)");
  app.add_option("--resume-selective", f.resume_selective, "emulated: selective resume time (e.g. 0.7s)");
  app.add_option("--resume-full", f.resume_full, "emulated: full resume time (e.g. 3s)");
  app.add_option("--packet-resume", f.packet_resume,
                 "emulated: how a magic packet resumes: selective or full");
  app.add_option("--max-sleep", f.max_sleep, "emulated: wake by alarm after this long asleep");
  app.add_option("--initial-state", f.initial_state, "emulated: state at start (default idle)");
  app.add_option("--speed", f.speed,
                 "emulated: suspend, resume and max-sleep times divided by this, to pair with "
                 "jettison-replay --speed (default 1)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--dry-run", f.dry_run, "real: record the suspend plan, suspend nothing");
  app.add_flag("--allow-suspend", f.allow_suspend, "real: really suspend this machine (else dry-run)");
  app.add_option("--suspend-method", f.method, "real: mem, freeze, logind or logind-busctl");
  app.add_option("--rtc-wake-after", f.rtc_wake_after, "real: arm the RTC alarm");
  app.add_option("--watts", f.watts, "power in a state for the energy report, STATE=POWER (repeatable)");
  app.add_option("--run-for", f.run_for, "stop by itself after this long (tests)");
  app.add_option("--vm-kernel", f.vm_kernel, "run the desktop's VM under QEMU with this guest kernel");
  app.add_option("--vm-initrd", f.vm_initrd, "the VM's initrd");
  app.add_option("--vm-append", f.vm_append, "the VM's kernel command line");
  app.add_option("--vm-ram", f.vm_ram, "the VM's RAM (default 512MiB)");
  app.add_option("--vm-cpus", f.vm_cpus, "the VM's vCPUs (default 1)");
  app.add_option(
      "--vm-disk", f.vm_disk,
      "the VM's root disk (raw), on storage the server sees at the same path (it is not migrated)");
  app.add_option("--vm-name", f.vm_name, "the VM's name (default desktop)");
  app.add_option("--vm-dir", f.vm_dir,
                 "folder for the VM's QMP socket, logs and record (default /run/jettison/NAME)");
  app.add_option("--vm-ram-file", f.vm_ram_file,
                 "the VM's RAM file, on tmpfs (default /dev/shm/jettison-NAME.ram)");
  app.add_option("--vm-libvirt", f.vm_libvirt,
                 "run the VM as a domain of the libvirt daemon at this URI (e.g. qemu:///system), not as a "
                 "QEMU child");
  app.add_option("--accel", f.accel, "auto (KVM when /dev/kvm works, else TCG), kvm or tcg");
  app.add_option("--control", f.control,
                 "control socket for jettison-ctl (go-idle, return, take-back, status)");
  app.add_option("--take-back-after", f.take_back_after,
                 "take the VM back without the server when it has not returned it this long after the user");
  app.add_option("--go-idle-after", f.go_idle_after,
                 "after the VM has run here this long (the user away), ask the migration trigger whether to "
                 "migrate it out");
  app.add_option("--trigger", f.trigger,
                 "migration trigger for --go-idle-after: idle-time (default), predicted");
  add_log_level(app, f.log_level);
  return run_cli("jettison-desktop", app, argc, argv, f.log_level, [&] { return run(f, app); });
}
