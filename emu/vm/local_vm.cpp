#include "emu/vm/local_vm.hpp"

#include <linux/userfaultfd.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>

#include <algorithm>

namespace jettison::emu {

LocalVm::LocalVm(std::uint64_t pages, LocalVmOptions options)
    : region_(UffdRegion::create(pages, options.dirty_tracking)), options_(options) {
  touched_ = options_.touch_pages == 0;
}

LocalVm::~LocalVm() { discard(); }

void LocalVm::start(std::span<const std::byte> device_state, Duration) {
  if (!device_state.empty()) throw VmError("local VM: a local region takes no device state");
  if (options_.touch_pages == 0) return;
  toucher_ = std::thread([this] {
    const std::uint64_t n = std::min<std::uint64_t>(options_.touch_pages, region_.pages());
    volatile const std::byte* mem = region_.local_data();
    std::uint64_t sum = 0;
    for (std::uint64_t p = 0; p < n; ++p) sum += static_cast<std::uint64_t>(mem[p * region_.page_size()]);
    spdlog::info("local VM: touched {} pages (checksum {})", n, sum);
    touched_ = true;
  });
}

void LocalVm::join_toucher() {
  if (!toucher_.joinable()) return;
  if (!touched_) {
    // Its fault can no longer be served: unregister, so the kernel fills the page and it returns.
    uffdio_range range{region_.info().base, region_.info().length};
    (void)::ioctl(region_.fd(), UFFDIO_UNREGISTER, &range);
  }
  toucher_.join();
}

std::vector<std::byte> LocalVm::stop_and_save(Duration) {
  join_toucher();
  return {};
}

void LocalVm::discard() {
  join_toucher();
  discarded_ = true;
}

}  // namespace jettison::emu
