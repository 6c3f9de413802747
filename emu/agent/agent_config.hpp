// The desktop agent's configuration file (YAML) and the value syntaxes it shares with the CLI flags.
// Every error is an InputError naming "file:line: key". Unknown keys are errors, never ignored.
//
//   image: vm.ram                  # relative paths resolve from the config file's folder
//   page_size: 4096
//   listen: 10.0.0.1:7000          # ADDR:PORT, [v6]:PORT
//   tls:                           # one of: psk_file + psk_identity, ca + cert + key, insecure_plain_tcp
//     psk_file: psk.hex
//     psk_identity: desktop-1
//   power:
//     backend: emulated            # emulated | real
//     interface: eth0              # emulated: listens for magic packets; real: enables WoL on it
//     mac: 52:54:00:12:34:56       # the MAC packets must name (default: the interface's)
//     password: aa:bb:cc:dd:ee:ff  # SecureOn, optional
//     udp_port: 9                  # magic packets over UDP (0: none)
//     raw: true                    # and as EtherType 0x0842 frames
//     suspend_delay: 100ms
//     resume_selective: 0.7s
//     resume_full: 3s
//     packet_resume: selective     # selective | full
//     max_sleep: 10min             # emulated RTC alarm (optional)
//     initial_state: idle          # emulated: the state the clock starts in
//     dry_run: true                # real: record the plan, suspend nothing
//     allow_suspend: false         # real: without it the machine is never suspended
//     method: mem                  # real: mem | freeze | logind | logind-busctl
//     rtc_wake_after: 30min        # real: arm the RTC alarm
//   watts:                         # per power state, for the energy report (all optional)
//     idle: 50W
//     asleep: 2W
//   connections:                   # the memory server's bounds under a flood (all optional; defaults)
//     max: 64                      # open connections
//     max_handshakes: 32           # of them still in their handshake (TLS + HELLO)
//     max_per_peer: 8              # of those, from one peer address
//     handshake_timeout: 5s        # from accept to HELLO, TLS included
//
// The desktop's measured figures may come from the simulator's schema instead, so a lab machine's
// figures are the ones the simulator uses for it (one loader: common/config/desktop_loader.hpp):
//
//   desktop:                       # a scenario's `desktop:` section, every key as in scenarios
//     vm_memory: 4GiB
//     power: {active: 110W, idle: 102.1W, migrating: 105W, suspending: 90W, asleep: 1.2W,
//             resuming_full: 100W, resuming_selective: 60W, serving: 60W}
//     transitions: {suspend: 3.09s, resume_full: 2.27s, resume_selective: 0.7s, wake_on_lan: 10ms}
//     link: {bandwidth: 1Gbps, latency: 0.2ms}
//   scenario: office.yaml          # or: take that section (and page_size) from a scenario file
//                                  # (relative to this file; embedded:scenarios/default.yaml works)
//
// The desktop's VM, when the agent runs it (QEMU); jettison-desktop's --vm-* flags override single
// keys. Relative paths resolve from this file's folder; kernel, initrd and disk must exist. With a VM,
// the image served is its RAM file: `image` is not given.
//
//   vm:
//     kernel: guest/bzImage        # required: the guest kernel (--vm-kernel)
//     initrd: guest/initrd.cpio.gz # optional (--vm-initrd)
//     append: console=ttyS0        # the kernel command line (--vm-append)
//     ram: 512MiB                  # a whole number of MiB (--vm-ram; default 512MiB)
//     cpus: 1                      # vCPUs, 1..256 (--vm-cpus; default 1)
//     disk: /srv/vms/desk1.raw     # raw root disk on storage the server sees at the same path (--vm-disk)
//     name: desk1                  # letters, digits, '.', '-', '_' (--vm-name; default desktop)
//     dir: /run/jettison/desk1     # QMP socket, serial log, record (--vm-dir; default /run/jettison/NAME)
//     ram_file: /dev/shm/desk1.ram # on tmpfs (--vm-ram-file; default /dev/shm/jettison-NAME.ram)
//     accel: auto                  # auto | kvm | tcg (--accel)
//     libvirt: qemu:///system      # run it as a domain of this libvirt daemon (--vm-libvirt; default:
//                                  # a plain QEMU child)
//
// Either gives the watts (every state) and the emulated transition times: suspend_delay = suspend,
// resume_selective = wake_on_lan + resume_selective, resume_full = wake_on_lan + resume_full (a wake
// lasts that long in the simulator too). `scenario:` also gives page_size. Keys under `power:`,
// `watts:` and `page_size` override single values.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "emu/agent/desktop_agent.hpp"
#include "emu/vm/qemu_command.hpp"
#include "emu/wire/tcp_socket.hpp"

namespace jettison::emu {

// The desktop's VM as `vm:` gives it; jettison-desktop's --vm-* flags fill the same struct. No VM
// while kernel is empty.
struct DesktopVmSettings {
  std::filesystem::path kernel, initrd;
  std::string append;
  std::uint64_t ram_bytes = std::uint64_t{512} << 20;
  unsigned cpus = 1;
  std::filesystem::path disk;  // empty: none
  std::string name = "desktop";
  std::filesystem::path dir;       // empty: /run/jettison/NAME
  std::filesystem::path ram_file;  // empty: /dev/shm/jettison-NAME.ram
  Accel accel = Accel::kAuto;
  std::string libvirt;  // the libvirt daemon's URI; empty: plain QEMU

  bool enabled() const { return !kernel.empty(); }
  std::filesystem::path run_dir() const;        // dir, or its default
  std::filesystem::path ram_file_path() const;  // ram_file, or its default
};

// The whole file: the agent's settings and its VM's. With a VM, agent.server.image_path is the VM's
// RAM file.
struct AgentFileConfig {
  DesktopAgentConfig agent;
  DesktopVmSettings vm;
};

AgentFileConfig load_agent_file(const std::filesystem::path& path);
// The same from text; `origin` names it in errors, relative paths resolve from `base_dir`.
AgentFileConfig parse_agent_file(const std::string& text, const std::string& origin,
                                 const std::filesystem::path& base_dir);
// The agent's part only.
DesktopAgentConfig load_agent_config(const std::filesystem::path& path);
DesktopAgentConfig parse_agent_config(const std::string& text, const std::string& origin,
                                      const std::filesystem::path& base_dir);

// Checks what a runnable agent needs (image, TLS, interface for the emulated backend); InputError
// naming `origin` otherwise.
void validate_agent_config(const DesktopAgentConfig& config, const std::string& origin);

// Value syntaxes; each throws std::invalid_argument with what was expected (callers add the origin).
Endpoint parse_endpoint(std::string_view text);  // "10.0.0.1:7000", "[::1]:7000"
PowerBackendKind parse_power_backend(std::string_view text);
PowerState parse_power_state(std::string_view text);
ResumeKind parse_resume_kind(std::string_view text);

}  // namespace jettison::emu
