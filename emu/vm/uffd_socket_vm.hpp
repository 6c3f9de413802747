// A hosted VM whose process (any program, or QEMU with the hand-off library) registers its memory
// with userfaultfd itself and hands the uffd over a UNIX socket (emu/fetch/uffd_handover.hpp). This
// backend listens on `path`, accepts one process and adopts what it sends; it has no device state.
// running() is false once the process has exited (its pidfd says so).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "emu/sys/unique_fd.hpp"
#include "emu/vm/hosted_vm.hpp"

namespace jettison::emu {

// Listens on `path` (a stale socket file is replaced; the file is removed on return) and receives one
// hand-over. Returns nullopt when `stop()` says so first (polled every 200 ms). Throws InputError for an
// unusable path, UffdError for a bad hand-over.
std::optional<ReceivedUffd> receive_uffd_at(const std::string& path, const std::function<bool()>& stop);

class UffdSocketVm final : public HostedVm {
 public:
  explicit UffdSocketVm(ReceivedUffd received);
  std::string_view backend() const override { return "uffd-socket"; }
  UffdRegion& region() override { return region_; }
  void start(std::span<const std::byte> device_state, Duration timeout) override;
  bool running() const override;
  std::string ended() const override;
  std::vector<std::byte> stop_and_save(Duration) override { return {}; }
  void discard() override {}

 private:
  UffdRegion region_;
  UniqueFd pidfd_;
};

}  // namespace jettison::emu
