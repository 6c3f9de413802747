#include "emu/replay/replay_vm.hpp"

#include <linux/userfaultfd.h>
#include <sys/ioctl.h>

namespace jettison::emu {

ReplayVm::ReplayVm(std::uint64_t pages, bool dirty_tracking, std::vector<ScheduledAccess> schedule)
    : region_(UffdRegion::create(pages, dirty_tracking)), schedule_(std::move(schedule)) {}

ReplayVm::~ReplayVm() { join(true); }

void ReplayVm::start(std::span<const std::byte> device_state, Duration) {
  if (!device_state.empty()) throw VmError("replay VM: a replay takes no device state");
  player_ = std::thread([this] {
    try {
      result_ =
          replay(region_.local_data(), region_.page_size(), schedule_, [this] { return abandon_.load(); });
    } catch (...) {
      error_ = std::current_exception();
    }
    done_ = true;
  });
}

void ReplayVm::join(bool release_faults) {
  if (!player_.joinable()) return;
  if (!done_) {
    abandon_ = true;
    abandoned_ = true;
    if (release_faults) {
      // A fault nobody serves any more: unregister, so the kernel fills the page and the player returns.
      uffdio_range range{region_.info().base, region_.info().length};
      (void)::ioctl(region_.fd(), UFFDIO_UNREGISTER, &range);
    }
  }
  player_.join();
}

std::vector<std::byte> ReplayVm::stop_and_save(Duration) {
  // The fetcher still serves: an access in progress completes with the right page.
  join(false);
  return {};
}

void ReplayVm::discard() { join(true); }

const ReplayResult& ReplayVm::result() const {
  if (error_) std::rethrow_exception(error_);
  return result_;
}

}  // namespace jettison::emu
