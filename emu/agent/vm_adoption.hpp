// A desktop agent's start with its VM: boot it, or adopt what an earlier agent left in the same
// --vm-dir (its record, vm_record.hpp). The record's phase and what is found decide (QEMU: the process
// the record names by pid; libvirt: the domain it names, on the record's URI):
//
//   record says            QEMU / domain found         the agent continues
//   (none)                 -                           boots the VM: running-local, epoch 0
//   remote/reintegrating   alive, paused/postmigrate   adopts it: remote, same epoch, state-<epoch>.bin
//   reintegrating          alive, running              adopts it: running-local (the state was loaded)
//   remote/reintegrating   gone (or mid-load)          remote without QEMU: the RAM file and
//                                                      state-<epoch>.bin still let the server return
//                                                      the VM, or `take-back` restart it here
//   migrating-out          alive                       adopts it, running-local (the interrupted
//                                                      migration is abandoned; a paused guest resumes)
//   migrating-out          gone, state-<epoch+1> kept  remote without QEMU at epoch+1 (as above)
//   running-local          alive                       adopts it: running-local
//   running-local/failed   gone / -                    VmRecordError naming the record and what is left
//
// A record of another VM (other backend, RAM file or description; libvirt: another URI) is a
// VmRecordError naming the record.
//
// libvirt without a record: a domain of the VM's name that is already defined must pass
// check_adoptable_domain() (the error names the XML element to change); running, it is adopted
// (running-local), paused, it is an error (it may be away on a server: only a record can tell);
// defined but stopped, its definition is replaced and the VM boots. A daemon that does not answer is
// an error naming the URI and its socket.
#pragma once

#include <memory>
#include <optional>

#include "emu/agent/vm_controller.hpp"
#include "emu/agent/vm_record.hpp"
#include "emu/vm/qemu_desktop_vm.hpp"
#ifdef JETTISON_HAVE_LIBVIRT
#include "emu/vm/libvirt_desktop_vm.hpp"
#endif

namespace jettison::emu {

struct OpenedDesktopVm {
  std::unique_ptr<DesktopVm> vm;
  std::optional<VmResume> resume;  // set when adopted
};

// Boots or adopts the QEMU desktop VM of `config` (record in config.run_dir).
OpenedDesktopVm open_qemu_desktop_vm(QemuDesktopVmConfig config, const VmRecordStore& store);

#ifdef JETTISON_HAVE_LIBVIRT
// Boots or adopts the desktop VM of `config` as a libvirt domain (record in config.run_dir).
OpenedDesktopVm open_libvirt_desktop_vm(LibvirtDesktopVmConfig config, const VmRecordStore& store);
#endif

}  // namespace jettison::emu
