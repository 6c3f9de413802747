// The VM backend seam, desktop side: the desktop's own VM, whose RAM lives in a shared-memory file
// that the desktop agent serves page by page while the VM runs on the server.
//
//   migrate_out()   device state only (the RAM stays in its file); the guest is paused here after it
//   resume_here()   the server never took the VM (or is gone): the paused guest runs on here
//   migrate_in()    the server's device state is loaded into a fresh instance over the same RAM file
//                   (every page the server dirtied is already written back into it) and the guest runs
//
// The process behind the VM outlives the agent: instance() names it for the agent's record, detach()
// leaves it as it is when the agent exits while the VM is away (the paused source is the fallback),
// and a restarted agent adopts it (qemu_desktop_vm.hpp).
//
// Backends: QEMU (qemu_desktop_vm.hpp) and libvirt domains (libvirt_desktop_vm.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.hpp"
#include "emu/vm/hosted_vm.hpp"

namespace jettison::emu {

// The process running the VM now, as the agent's record names it.
struct VmInstance {
  int pid = -1;                          // -1: none (no process, or it is gone; libvirt: not ours)
  std::filesystem::path control_socket;  // its QMP socket; empty: no instance runs
};

// A VM that is a libvirt domain: its name and the daemon's URI, which find it again.
struct VmDomainRef {
  std::string name;  // empty: not a libvirt domain
  std::string uri;
};

class DesktopVm {
 public:
  virtual ~DesktopVm() = default;
  virtual std::string_view backend() const = 0;
  virtual std::uint64_t ram_bytes() const = 0;
  virtual const std::filesystem::path& ram_file() const = 0;
  // What the server needs to build the same virtual machine (its description travels with the
  // device state): opaque to the agent.
  virtual std::string description() const = 0;
  virtual std::vector<std::byte> migrate_out(Duration timeout) = 0;
  virtual void resume_here(Duration timeout) = 0;
  virtual void migrate_in(std::span<const std::byte> state, Duration timeout) = 0;
  virtual bool running() const = 0;
  // Stops the VM for good (the agent is exiting). Idempotent.
  virtual void shutdown() = 0;
  // The agent exits and leaves the VM's process as it is (running or paused). Idempotent.
  virtual void detach() {}
  virtual VmInstance instance() const { return {}; }
  virtual VmDomainRef domain_ref() const { return {}; }
  // `fn` is called whenever a new process starts running the VM (migrate_in), from that call.
  void on_instance_changed(std::function<void()> fn) { instance_changed_ = std::move(fn); }

 protected:
  void instance_changed() const {
    if (instance_changed_) instance_changed_();
  }

 private:
  std::function<void()> instance_changed_;
};

}  // namespace jettison::emu
