// A hosted "VM" whose workload is a page-access trace: a region this process maps and registers,
// on which replay() plays the schedule from start() on a thread of its own. running() turns false
// when the schedule is done; stop_and_save() abandons what is left (a fault blocked on a failed
// fetcher is released by unregistering the region) and joins. No device state.
#pragma once

#include <atomic>
#include <exception>
#include <thread>
#include <vector>

#include "emu/replay/replay.hpp"
#include "emu/vm/hosted_vm.hpp"

namespace jettison::emu {

class ReplayVm final : public HostedVm {
 public:
  ReplayVm(std::uint64_t pages, bool dirty_tracking, std::vector<ScheduledAccess> schedule);
  ~ReplayVm() override;

  std::string_view backend() const override { return "replay"; }
  UffdRegion& region() override { return region_; }
  void start(std::span<const std::byte> device_state, Duration timeout) override;
  bool running() const override { return !done_; }
  std::string ended() const override { return "the trace's last access is done"; }
  std::vector<std::byte> stop_and_save(Duration timeout) override;
  void discard() override;

  // After stop_and_save(): what the replay did (rethrows the replay's own error, if any).
  const ReplayResult& result() const;
  const std::vector<ScheduledAccess>& schedule() const { return schedule_; }
  bool abandoned() const { return abandoned_; }

 private:
  void join(bool release_faults);

  UffdRegion region_;
  std::vector<ScheduledAccess> schedule_;
  std::thread player_;
  std::atomic<bool> abandon_{false}, done_{false};
  bool abandoned_ = false;
  ReplayResult result_;
  std::exception_ptr error_;
};

}  // namespace jettison::emu
