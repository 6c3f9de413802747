// The VM backend seam, server side: a VM hosted on the consolidation server during one idle period.
// The hosting session (emu/server/host_session.hpp) drives any backend the same way:
//
//   prepare()           the VM's memory exists here, empty, registered with userfaultfd (region())
//   start(state)        the desktop's device state is loaded and the guest runs; its faults are
//                       served by the session's fetcher from the moment prepare() returned, since
//                       loading device state may read guest memory
//   stop_and_save()     the guest is paused and its device state returned (what travels back)
//   discard()           the VM is gone from this server
//
// Backends: a region mapped in this process (tests, benchmarks: local_vm.hpp), a VM process that
// hands its registered uffd over a UNIX socket (uffd_socket_vm.hpp), a QEMU guest (qemu_host.hpp), and
// later libvirt domains.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.hpp"
#include "emu/fetch/uffd_region.hpp"

namespace jettison::emu {

// A failure of the VM layer (QEMU would not start, the state would not load, the process died):
// the message names the VM, the step and the cause.
class VmError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class HostedVm {
 public:
  virtual ~HostedVm() = default;
  virtual std::string_view backend() const = 0;
  // The guest's memory, registered with userfaultfd (valid until discard()).
  virtual UffdRegion& region() = 0;
  // Loads `device_state` (may be empty for backends without one) and runs the guest.
  virtual void start(std::span<const std::byte> device_state, Duration timeout) = 0;
  // True while the guest can still run here (its process is alive, its workload not finished).
  virtual bool running() const = 0;
  // Why running() became false, for the log; empty while it runs.
  virtual std::string ended() const { return {}; }
  // Pauses the guest and returns its device state (empty for backends without one).
  virtual std::vector<std::byte> stop_and_save(Duration timeout) = 0;
  // Ends the VM here. Idempotent; the destructor does it too.
  virtual void discard() = 0;
  // Where the session keeps the guest's dirty-page log (so a restarted server can adopt the guest);
  // empty: nowhere (the guest cannot outlive this process).
  virtual std::filesystem::path dirty_log() const { return {}; }
  // True when this VM was already running here, taken over from a server process that died.
  virtual bool adopted() const { return false; }
  // Leaves the guest (frozen in its faults) for a later server process to adopt, instead of ending it
  // with this one; false when the backend cannot (its guest ends with this process).
  virtual bool keep_for_adoption() { return false; }
};

}  // namespace jettison::emu
