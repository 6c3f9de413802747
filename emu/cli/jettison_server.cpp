// jettison-server: the consolidation server's side of one partially migrated desktop. Connects to the
// desktop agent (jettison-desktop), serves the faults of the VM's memory from it through userfaultfd
// (the Fetcher, with a prefetcher), lets a sleep rule put the desktop to sleep when it is not needed
// (SleepController; the next fault wakes it with a magic packet), and on SIGINT/SIGTERM (or after
// --run-for, or when the desktop says its user is back) reintegrates: the dirty pages go back to the
// desktop with their current content, then the VM's device state. Then it prints what happened per
// period: faults, pages, fault latency, wake-ups, sleeps, dirty pages, write-back. The work is a
// HostSession (emu/server/host_session.hpp); this file only turns flags into its configuration.
//
// The memory comes from a VM process that hands its registered userfaultfd over a UNIX socket
// (--uffd-socket, emu/fetch/uffd_handover.hpp), or, for tests, from a region the server maps itself
// (--local-region; --touch-pages N reads its first N pages once, as a smoke test).
//
//   jettison-server --connect 10.0.0.1:7000 --psk-file psk.hex --psk-identity desk-1
//       --wol-interface eth0 --desktop-mac 52:54:00:12:34:56 --uffd-socket /run/jettison/vm1.sock
//       --prefetch spatial --sleep timeout --sleep-timeout 10s --control /run/jettison/server.sock
//   jettison-server --config /etc/jettison/server.yaml [--periods 1 ...]
//
// --config reads those settings from a YAML file (emu/server/server_config.hpp; example
// emu/lab/server.yaml); flags given beside it override the file's values.
//
// With --control, `jettison-ctl --socket PATH status [--json]` asks the running session where it is:
// its phase, the VM hosted (pages fetched, faults, dirty pages pending write-back, the desktop asleep
// or not) and the desktop's last wake-up (emu/PROTOCOL.md, "Status").
//
// Exit 2 on bad flags (the message names the flag), 1 on a runtime failure (the desktop refused our
// key, the fetcher failed, the write-back failed), 0 otherwise. Why a fault waits (desktop asleep,
// unreachable, reconnecting) is logged as it happens.
#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/input_error.hpp"
#include "common/units.hpp"
#include "emu/control/control_server.hpp"
#include "emu/control/status_text.hpp"
#include "emu/remote/remote_source.hpp"
#include "emu/server/desktop_link_client.hpp"
#include "emu/server/host_session.hpp"
#include "emu/server/period_report.hpp"
#include "emu/server/remote_flags.hpp"
#include "emu/server/server_config.hpp"
#include "emu/server/sleep_controller.hpp"
#include "emu/tool/cli_main.hpp"
#include "emu/vm/local_vm.hpp"
#include "emu/vm/qemu_flags.hpp"
#include "emu/vm/qemu_hosted_vm.hpp"
#ifdef JETTISON_HAVE_LIBVIRT
#include "emu/vm/libvirt_hosted_vm.hpp"
#endif
#include "emu/vm/uffd_socket_vm.hpp"

namespace {

using namespace jettison;
using namespace jettison::emu;

using Flags = ServerOptions;  // emu/server/server_config.hpp: flags and --config FILE fill it

// SIGINT/SIGTERM, polled: blocked in every thread (set before any is started), taken here.
class Signals {
 public:
  Signals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  // A pending signal's name, or empty; never waits.
  std::string poll() {
    const timespec zero{0, 0};
    const int sig = sigtimedwait(&set_, nullptr, &zero);
    if (sig == SIGINT) return "SIGINT received";
    if (sig == SIGTERM) return "SIGTERM received";
    return {};
  }

 private:
  sigset_t set_;
};

HostSessionConfig session_config(const Flags& f) {
  HostSessionConfig c;
  c.desktop = f.remote.connect;
  c.prefetch = f.prefetch;
  c.prefetch_params.radius = f.radius;
  c.sleep_rule = f.sleep.rule;
  c.sleep_params = sleep_params(f.sleep);
  if (f.sleep_costs) c.sleep_costs = *f.sleep_costs;  // the config file's desktop figures
  c.write_back = !f.no_write_back;
  c.verify_write_back = f.verify_write_back;
  c.periods = f.periods;
  if (!f.run_for.empty()) {
    try {
      c.run_for = parse_duration(f.run_for);
    } catch (const std::exception& e) {
      throw InputError("--run-for", e.what());
    }
  }
  return c;
}

// The hand-off library next to this executable (build/bin -> build/lib), unless given.
std::filesystem::path default_handoff_library() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return exe.parent_path().parent_path() / "lib" / "libjettison-uffd-handoff.so";
}

QemuHostConfig qemu_config(const Flags& f) {
  QemuHostConfig c;
  c.run_dir = f.run_dir;
  c.ram_dir = f.ram_dir;
  c.handoff_library =
      f.handoff_library.empty() ? default_handoff_library() : std::filesystem::path(f.handoff_library);
  c.dirty_tracking = !f.no_dirty_tracking;
  c.accel = parse_accel(f.accel, "--accel");
  if (!f.max_guest_ram.empty()) {
    try {
      c.max_guest_ram = parse_bytes(f.max_guest_ram).count();
    } catch (const std::exception& e) {
      throw InputError("--max-guest-ram", e.what());
    }
  }
  return c;
}

int run(const Flags& f) {
  // Every flag is checked before anything is connected or mapped.
  if (static_cast<int>(f.local_region) + static_cast<int>(!f.uffd_socket.empty()) +
          static_cast<int>(f.qemu) !=
      1)
    throw InputError("--uffd-socket", "give exactly one of --qemu, --uffd-socket PATH and --local-region");
  if (f.touch_pages > 0 && !f.local_region) throw InputError("--touch-pages", "only with --local-region");
  const auto page_size = static_cast<std::uint32_t>(::sysconf(_SC_PAGESIZE));
  const RemoteSourceConfig remote = remote_source_config(f.remote, page_size);
  HostSessionConfig config = session_config(f);
  std::optional<QemuHostConfig> qemu;
  if (f.qemu) {
    qemu = qemu_config(f);
    config.max_guest_ram = qemu->max_guest_ram;
    try {
      check_qemu_host(
          *qemu);  // QEMU, the hand-off library, userfaultfd, shared memory: before anything moves
    } catch (const std::exception& e) {
      throw InputError("--qemu", e.what());
    }
    std::filesystem::create_directories(qemu->run_dir);
  }
  if (!f.libvirt.empty()) {
    if (!qemu) throw InputError("--libvirt", "only with --qemu");
#ifndef JETTISON_HAVE_LIBVIRT
    throw InputError("--libvirt", "this build has no libvirt backend (install libvirt-dev and rebuild)");
#endif
  }
#ifdef JETTISON_HAVE_LIBVIRT
  std::optional<LibvirtHostConfig> libvirt;
  if (!f.libvirt.empty()) {
    libvirt.emplace(LibvirtHostConfig{f.libvirt, qemu->run_dir, qemu->ram_dir, qemu->handoff_library,
                                      qemu->accel, qemu->dirty_tracking, qemu->start_timeout,
                                      qemu->max_guest_ram});
    try {
      check_libvirt_host(*libvirt);  // the daemon answers, QEMU, the hand-off library, shared memory
    } catch (const std::exception& e) {
      throw InputError("--libvirt", e.what());
    }
  }
#endif
  std::optional<std::filesystem::path> adoptable;
  if (f.adopt) {
    if (!qemu) throw InputError("--adopt", "only with --qemu");
#ifdef JETTISON_HAVE_LIBVIRT
    // With --libvirt: the epoch folder whose domain still runs on that daemon.
    if (libvirt)
      adoptable = find_adoptable_domain(qemu->run_dir, libvirt->uri);
    else
#endif
      adoptable = find_adoptable(qemu->run_dir);
    if (!adoptable)
      throw InputError("--adopt", fmt::format("no running guest to adopt in '{}'", qemu->run_dir.string()));
    config.adopt_epoch = QemuHostedVm::adopt_epoch(*adoptable);
  }
  (void)make_prefetcher(f.prefetch, config.prefetch_params, {1, Bytes::of(page_size)});  // checks the name

  Signals signals;              // before any thread starts
  RemoteSource source(remote);  // connects (waking the desktop if needed); a refused key fails here
  const SessionInfo info = source.session();
  spdlog::info("jettison-server: desktop {} serves {} pages of {} bytes (image {:#x}, generation {})",
               source.peer(), info.image_pages, info.page_size, info.image_id, info.generation);
  RemoteDesktop desktop(source);

  std::unique_ptr<HostSession> session;
  config.stop_requested = [&] { return signals.poll(); };
  HostedVmFactory factory;
  std::unique_ptr<DesktopLinkClient> link;
  if (qemu) {
    link = std::make_unique<DesktopLinkClient>(remote);
    factory = [&](const IncomingVm& in) -> std::unique_ptr<HostedVm> {
#ifdef JETTISON_HAVE_LIBVIRT
      if (libvirt && in.adopted) return LibvirtHostedVm::adopt(*adoptable, *libvirt);
      if (libvirt) return std::make_unique<LibvirtHostedVm>(in.epoch, in.device_state, *libvirt);
#endif
      if (in.adopted) return QemuHostedVm::adopt(*adoptable, *qemu);
      return std::make_unique<QemuHostedVm>(in.epoch, in.device_state, *qemu);
    };
  } else if (f.local_region) {
    factory = [&](const IncomingVm& in) -> std::unique_ptr<HostedVm> {
      return std::make_unique<LocalVm>(in.pages, LocalVmOptions{!f.no_dirty_tracking, f.touch_pages});
    };
  } else {
    factory = [&](const IncomingVm&) -> std::unique_ptr<HostedVm> {
      std::optional<ReceivedUffd> r = receive_uffd_at(f.uffd_socket, [&] {
        const std::string why = signals.poll();
        if (!why.empty()) session->request_stop(why);
        return !why.empty();
      });
      if (!r) throw VmError("stopped while waiting for a VM to hand its userfaultfd over");
      return std::make_unique<UffdSocketVm>(std::move(*r));
    };
  }
  session =
      std::make_unique<HostSession>(config, remote_session_source(source, desktop), link.get(), factory);
  // The control socket answers status while the session runs (jettison-ctl --socket PATH status).
  std::unique_ptr<ControlServer> control;
  if (!f.control.empty())
    control =
        std::make_unique<ControlServer>(f.control, [&](const nlohmann::json& request) -> nlohmann::json {
          const std::string cmd = request.at("cmd").get<std::string>();
          if (cmd != "status") throw std::runtime_error(fmt::format("unknown command '{}' (status)", cmd));
          return to_json(session->status(), unix_millis_now());
        });
  const std::vector<HostedPeriod> periods = session->run();
  control.reset();
  for (const HostedPeriod& p : periods) print_period(stdout, p, f.sleep.rule, !f.no_write_back);
  if (!f.out.empty() && !periods.empty()) write_period_files(f.out, periods);
  if (session->phase() == SessionPhase::kFailed) {
    fmt::print(stderr, "jettison-server: error: {}\n", session->error());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"jettison-server: serve a migrated VM's memory from its sleeping desktop, then reintegrate"};
  Flags f;
  // --config FILE is read first; the other flags given override its values.
  std::string config_file;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--config" && i + 1 < argc) config_file = argv[i + 1];
    if (a.rfind("--config=", 0) == 0) config_file = std::string(a.substr(9));
  }
  if (!config_file.empty()) {
    try {
      f = load_server_config(config_file, f);
    } catch (const InputError& e) {
      fmt::print(stderr, "jettison-server: error: {}\n", e.what());
      return kInputErrorExit;
    }
  }
  app.add_option("--config", config_file,
                 "YAML configuration (emu/lab/server.yaml); flags given beside it override its values");
  app.add_option("--connect", f.remote.connect,
                 "HOST:PORT of the desktop agent (jettison-desktop); required, here or in --config");
  app.add_option("--psk-file", f.remote.psk_file, "TLS pre-shared key file (hex)");
  app.add_option("--psk-identity", f.remote.psk_identity, "TLS pre-shared key identity");
  app.add_option("--ca", f.remote.ca, "TLS certificates: CA file (PEM), as the agent's --ca");
  app.add_option("--cert", f.remote.cert, "TLS certificates: own certificate chain (PEM)");
  app.add_option("--key", f.remote.key, "TLS certificates: own private key (PEM)");
  app.add_flag("--insecure-plain-tcp", f.remote.insecure, "no TLS (benchmarks on loopback only)");
  app.add_option("--wol-interface", f.remote.wol_interface, "send magic packets out of this interface");
  app.add_option("--desktop-mac", f.remote.desktop_mac, "the desktop NIC's MAC (for the magic packets)");
  app.add_option("--wol-password", f.remote.wol_password, "SecureOn password for the magic packets");
  app.add_flag("--wol-raw", f.remote.wol_raw, "magic packets as raw EtherType 0x0842 frames (default UDP)");
  app.add_option("--connect-timeout", f.remote.connect_timeout, "one connection attempt (default 2s)");
  app.add_option("--give-up-after", f.remote.give_up_after,
                 "fail when the desktop stays unreachable this long (default: keep trying)");
  app.add_flag("--qemu", f.qemu, "host the desktop's QEMU guest each time it goes idle (partial migration)");
  app.add_flag("--adopt", f.adopt,
               "--qemu: take over the guest (QEMU child or, with --libvirt, domain) a killed jettison-server "
               "left running in --run-dir, then go on");
  app.add_option("--run-dir", f.run_dir,
                 "--qemu: folder for QEMU's sockets and logs (default /run/jettison/server)");
  app.add_option("--ram-dir", f.ram_dir, "--qemu: tmpfs folder for the guests' RAM files (default /dev/shm)");
  app.add_option("--handoff-library", f.handoff_library,
                 "--qemu: libjettison-uffd-handoff.so (default: build/lib)");
  app.add_option("--accel", f.accel, "--qemu: auto (KVM when /dev/kvm works, else TCG), kvm or tcg");
  app.add_option("--max-guest-ram", f.max_guest_ram,
                 "--qemu: refuse (send back) guests with more RAM than this");
  app.add_option(
      "--libvirt", f.libvirt,
      "--qemu: host each guest as a domain of the libvirt daemon at this URI (e.g. qemu:///system)");
  app.add_option("--uffd-socket", f.uffd_socket, "UNIX socket a VM process hands its userfaultfd over");
  app.add_flag("--local-region", f.local_region, "map a region here instead (tests)");
  app.add_flag("--no-dirty-tracking", f.no_dirty_tracking, "--local-region: register MISSING only");
  app.add_option("--touch-pages", f.touch_pages, "--local-region: read its first N pages once (smoke test)");
  app.add_option("--prefetch", f.prefetch, "prefetcher: none, spatial, history, markov (default none)");
  app.add_option("--radius", f.radius, "spatial prefetcher: pages on each side of a fault (default 16)");
  app.add_option("--sleep", f.sleep.rule,
                 "sleep rule: timeout, break-even, adaptive, learning-augmented (default: never sleep)");
  app.add_option("--sleep-timeout", f.sleep.timeout, "timeout rule: time awake after the last request (30s)");
  app.add_option("--sleep-trust", f.sleep.trust, "learning-augmented rule: trust in (0, 1] (default 0.5)");
  app.add_option("--sleep-history", f.sleep.history, "adaptive rules: gaps remembered (default 8)");
  app.add_flag("--verify-write-back", f.verify_write_back,
               "read the dirty pages back from the desktop after the write-back and compare them");
  app.add_flag("--no-write-back", f.no_write_back, "do not reintegrate the dirty pages at the end");
  app.add_option("--run-for", f.run_for, "reintegrate each period after this long (tests)");
  app.add_option("--periods", f.periods, "idle periods to host, then exit (default 1; 0: until stopped)");
  app.add_option("--control", f.control, "control socket for jettison-ctl status (a UNIX socket path)");
  app.add_option("--out", f.out, "write periods.csv and the page trace of each period (pages-N.csv) here");
  add_log_level(app, f.log_level);
  return run_cli("jettison-server", app, argc, argv, f.log_level, [&] { return run(f); });
}
