// jettison-server's options, and its configuration file (YAML): what a lab admin sets once for a
// server (`jettison-server --config /etc/jettison/server.yaml`); flags given beside --config override
// the file's values. Every error is an InputError naming "file:line: key"; unknown keys are errors.
// Relative paths resolve from the config file's folder. Example, every key: emu/lab/server.yaml.
//
//   connect: 10.0.0.2:7000         # the desktop agent (jettison-desktop's listen)
//   connect_timeout: 2s            # one connection attempt
//   give_up_after: 10min           # fail when the desktop stays unreachable this long (absent: never)
//   tls:                           # one of: psk_file + psk_identity, ca + cert + key,
//     psk_file: psk.hex            #         insecure_plain_tcp: true
//     psk_identity: desktop-1
//   wake_on_lan:                   # absent: the desktop is never woken by this server
//     interface: eth0              # magic packets go out of it
//     mac: 52:54:00:12:34:56       # the desktop NIC's
//     password: aa:bb:cc:dd:ee:ff  # SecureOn, optional
//     raw: false                   # EtherType 0x0842 frames (CAP_NET_RAW) instead of UDP port 9
//   vm:                            # where the memory comes from: one of qemu, uffd_socket
//     qemu:                        # host the desktop's QEMU guest when it goes idle
//       run_dir: /run/jettison/server
//       ram_dir: /dev/shm
//       handoff_library: /usr/lib/libjettison-uffd-handoff.so
//       accel: auto                # auto | kvm | tcg
//       max_guest_ram: 8GiB
//       libvirt: qemu:///system    # optional: host it as a libvirt domain
//       dirty_tracking: true
//       adopt: false               # take over a guest a killed server left running
//     uffd_socket: /run/jettison/vm1.sock
//   prefetch: {prefetcher: spatial, radius: 16}
//   sleep: {rule: break-even, timeout: 30s, trust: 0.5, history: 8}
//   desktop: {...}                 # a scenario's desktop section: the sleep rule's costs
//   scenario: office.yaml          # or that section of a scenario file (embedded:... works)
//   control: /run/jettison/server.sock
//   out: /var/lib/jettison/periods
//   periods: 0                     # 0: until stopped
//   write_back: true
//   verify_write_back: false
//   log_level: info
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "emu/server/remote_flags.hpp"
#include "policy/sleep_scheduler.hpp"

namespace jettison::emu {

// Everything jettison-server is told, by flags or by its configuration file. Values are kept as the
// flags' text; the server checks them (and names the flag) when it starts.
struct ServerOptions {
  RemoteFlags remote;
  SleepFlags sleep;
  std::string uffd_socket, prefetch = "none", run_for, out, log_level = "info", control;
  // --qemu: host the desktop's QEMU guest when it goes idle.
  std::string run_dir = "/run/jettison/server", ram_dir = "/dev/shm", handoff_library, accel = "auto",
              max_guest_ram, libvirt;  // libvirt: the daemon's URI (--qemu under libvirt)
  bool qemu = false, verify_write_back = false, adopt = false;
  bool local_region = false, no_dirty_tracking = false, no_write_back = false;
  std::uint32_t radius = 16, periods = 1;
  std::uint64_t touch_pages = 0;
  // The sleep rule's view of the desktop, from the file's `desktop:` or `scenario:` (absent: the
  // default scenario's, default_sleep_costs()).
  std::optional<policy::SleepCosts> sleep_costs;
};

// Reads the file at `path` over `base` (the defaults): keys given replace base's values.
ServerOptions load_server_config(const std::filesystem::path& path, ServerOptions base = {});
// The same from text; `origin` names it in errors, relative paths resolve from `base_dir`.
ServerOptions parse_server_config(const std::string& text, const std::string& origin,
                                  const std::filesystem::path& base_dir, ServerOptions base = {});

}  // namespace jettison::emu
