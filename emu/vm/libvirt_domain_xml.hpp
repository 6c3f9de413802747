// The libvirt domain XML this project writes for a guest, and the checks on a domain's XML before it
// is adopted.
//
// What the XML holds: type 'kvm' or 'qemu' (TCG) as chosen_accel() picks; the guest's kernel, initrd
// and command line; RAM declared as memfd with shared access (<memoryBacking>); the serial console to
// a file (appended: one heartbeat history across QEMU instances); and, in <qemu:commandline>, what
// libvirt has no element for:
//   - the guest RAM itself as a shared file on tmpfs (`-object memory-backend-file,id=jettison-ram,...`
//     and `-machine memory-backend=jettison-ram`, which overrides libvirt's choice: QEMU takes the last
//     -machine value). The desktop's agent serves that file while the VM is away and a new QEMU maps
//     the same file when it comes back, which a memfd (new and empty in every QEMU) cannot give; the
//     declared memfd block stays mapped but unused, shared, so x-ignore-shared skips it too;
//   - a QMP monitor of our own on a UNIX socket (the device-state stream and its events);
//   - `-incoming defer` for a QEMU that waits for device state;
// and in <qemu:env> the environment QEMU gets (the hand-off library's LD_PRELOAD and JETTISON_*).
// libvirt marks such a domain "tainted: custom-argv" (and "custom-monitor" once QMP passes through).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "emu/vm/qemu_command.hpp"

namespace jettison::emu {

// The domain XML for `spec` (ram_file, serial_log and qmp_socket required), `accel` "kvm" or "tcg".
// QemuError naming the field for what the XML cannot carry (extra RAM blocks, commas in paths).
std::string libvirt_domain_xml(const QemuVmSpec& spec, std::string_view accel,
                               const std::map<std::string, std::string>& env = {});

// What adopting a domain needs from its XML.
struct AdoptableDomain {
  std::string name;
  std::uint64_t ram_bytes = 0;
  std::filesystem::path ram_file;    // the jettison-ram backing file
  std::filesystem::path qmp_socket;  // our QMP monitor
  std::filesystem::path serial_log;
};

// Checks a domain's XML for adoption: its memory is shared (<memoryBacking> with <access
// mode='shared'/> and <source type='memfd'/> or 'file') and its RAM is a file Jettison can serve (the
// qemu:commandline above). VmError naming the domain and the XML element to change otherwise.
AdoptableDomain check_adoptable_domain(const std::string& xml);

// `text` with XML's five special characters escaped.
std::string xml_escape(std::string_view text);

}  // namespace jettison::emu
