// The simplest hosted "VM": a region this process maps and registers itself, the size of the
// desktop's image; no device state. For tests and smoke runs of the machinery without a guest:
// `touch_pages` > 0 reads that many pages from the start of the region once, on a thread of its
// own (a fault blocks it while the desktop is woken), as a stand-in workload.
#pragma once

#include <atomic>
#include <thread>

#include "emu/vm/hosted_vm.hpp"

namespace jettison::emu {

struct LocalVmOptions {
  bool dirty_tracking = true;  // register MISSING|WP
  std::uint64_t touch_pages = 0;
};

class LocalVm final : public HostedVm {
 public:
  LocalVm(std::uint64_t pages, LocalVmOptions options);
  ~LocalVm() override;

  std::string_view backend() const override { return "local"; }
  UffdRegion& region() override { return region_; }
  void start(std::span<const std::byte> device_state, Duration timeout) override;
  bool running() const override { return !discarded_; }
  std::vector<std::byte> stop_and_save(Duration timeout) override;
  void discard() override;
  bool touched() const { return touched_; }

 private:
  void join_toucher();

  UffdRegion region_;
  LocalVmOptions options_;
  std::thread toucher_;
  std::atomic<bool> touched_{false};
  bool discarded_ = false;
};

}  // namespace jettison::emu
