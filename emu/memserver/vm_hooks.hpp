// The desktop's VM as the memory server sees it (protocol version 2, capability VM): what the
// desktop agent plugs into MemoryServerConfig::vm. The server calls these from its connection
// threads, possibly from several at once (accept_state calls are serialized): make them thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <vector>

#include "emu/wire/vm_status.hpp"

namespace jettison::emu {

// A hook's failure; its text travels to the client in a VM_ERROR.
class VmHookError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct VmHooks {
  // Where the VM is (VM_STATUS_ACK). Also decides which epoch GET/PUT_DEVICE_STATE may name.
  std::function<VmStatus()> status;
  // The device state of migration `epoch` (throws VmHookError when there is none / wrong epoch).
  std::function<std::shared_ptr<const std::vector<std::byte>>(std::uint64_t epoch)> device_state;
  // Loads the state the server sent back into the desktop's VM and resumes it; blocks until
  // the VM runs on the desktop (or throws VmHookError).
  std::function<void(std::uint64_t epoch, std::vector<std::byte> state)> accept_state;
  // False while the VM runs on the desktop (its RAM is changing): GET_PAGES is then refused
  // with an ERROR (VM_LOCAL, "the VM runs on the desktop") instead of serving pages that may
  // change under the reader.
  std::function<bool()> may_serve_pages;
};

}  // namespace jettison::emu
