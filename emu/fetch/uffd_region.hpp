// A memory region registered with userfaultfd, and the few operations a page fetcher performs on it:
// place a page (UFFDIO_COPY / UFFDIO_ZEROPAGE), write-unprotect it (UFFDIO_WRITEPROTECT), wake its
// waiters, read a resident page for write-back.
//
// Three ways to get one:
//   create()           maps a fresh memfd (shared) in this process and registers it: tests, replay.
//   register_mapping() registers an existing mapping of this process: what a VM process (or the
//                      LD_PRELOAD shim in QEMU) does before handing the uffd over with send_uffd().
//   adopt()            takes a uffd received from another process (receive_uffd()).
//
// Registration is MISSING, plus WP when dirty tracking is asked for. Guest RAM must be anonymous
// memory, a memfd or tmpfs: the kernel refuses (EINVAL) regular files on ext4 and the like.
//
// The region is never read through a mapping while a page may be missing: that would fill the page
// behind the faulting side's back. read_resident() is for pages the fetcher has placed.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

#include "emu/sys/unique_fd.hpp"

namespace jettison::emu {

// A userfaultfd operation failed in a way the fetcher cannot handle (bad registration, missing kernel
// feature, an unexpected errno). The message names the operation, the address and the errno.
class UffdError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What a region's owner registered; also the payload of the handover message.
struct RegionInfo {
  std::uint64_t base = 0;          // start address in the owner's address space, page aligned
  std::uint64_t length = 0;        // bytes, a multiple of page_size
  std::uint64_t page_size = 0;     // the system page size (huge pages are not supported yet)
  bool write_protect = false;      // registered with UFFDIO_REGISTER_MODE_WP: dirty tracking is on
  std::uint64_t memfd_offset = 0;  // offset of `base` in the memfd, when one comes with the region

  std::uint64_t pages() const { return page_size == 0 ? 0 : length / page_size; }
};

// The outcome of a placement; errors other than these throw UffdError.
enum class PlaceOutcome {
  kPlaced,  // done
  kExists,  // EEXIST: a page is already mapped there (placed earlier, or by someone else)
  kRetry,   // EAGAIN: the address space is changing (non-cooperative events pending): read them, retry
  kGone,    // ENOENT / ESRCH: the region or the process owning it is gone
};

// What a range placement did: the first `placed` pages of the range are in. When that is not the whole
// range, `outcome` says why the next page is not: kExists (mapped already), kRetry (EAGAIN: with
// placed > 0 the kernel merely stopped early, so call again for the rest; with placed == 0 the address
// space is changing) or kGone.
struct RangeOutcome {
  std::uint64_t placed = 0;
  PlaceOutcome outcome = PlaceOutcome::kPlaced;
};

// What a received uffd comes with (see uffd_handover.hpp).
struct ReceivedUffd {
  UniqueFd uffd;
  UniqueFd memfd;  // may be empty (anonymous memory)
  RegionInfo region;
  pid_t owner = 0;  // the process whose address space the region lives in
};

// Null when userfaultfd works here (a uffd can be created and offers MISSING faults), else why not:
// tests use it to skip cleanly.
std::optional<std::string> userfaultfd_unavailable();

class UffdRegion {
 public:
  static UffdRegion create(std::uint64_t pages, bool write_protect);
  // `memfd` (may be -1) is duplicated, not taken: it lets read_resident() use pread.
  static UffdRegion register_mapping(void* base, std::uint64_t length, bool write_protect, int memfd = -1,
                                     std::uint64_t memfd_offset = 0);
  static UffdRegion adopt(ReceivedUffd received);

  UffdRegion(UffdRegion&& o) noexcept;
  UffdRegion& operator=(UffdRegion&& o) noexcept;
  UffdRegion(const UffdRegion&) = delete;
  UffdRegion& operator=(const UffdRegion&) = delete;
  // Closes the uffd (unregistering the region when this was the last reference) and unmaps what
  // create() mapped. Threads still blocked in a fault on a region create() made would then see
  // zero pages: stop faulting before destroying it.
  ~UffdRegion();

  int fd() const { return uffd_.get(); }
  int memfd() const { return memfd_.get(); }
  const RegionInfo& info() const { return info_; }
  std::uint64_t page_size() const { return info_.page_size; }
  std::uint64_t pages() const { return info_.pages(); }
  bool write_protect() const { return info_.write_protect; }
  // The region in this process (create(), register_mapping()), or null when it lives in another one.
  std::byte* local_data() const { return local_ ? reinterpret_cast<std::byte*>(info_.base) : nullptr; }
  pid_t owner() const { return owner_; }

  // The page holding `address` (an address from a fault message), or nullopt if outside the region.
  std::optional<std::uint64_t> page_of(std::uint64_t address) const;

  // UFFDIO_COPY of one page; `write_protect` maps it write-protected (UFFDIO_COPY_MODE_WP).
  PlaceOutcome copy(std::uint64_t page, const std::byte* src, bool write_protect);
  // UFFDIO_ZEROPAGE (never write-protected: the kernel has no WP mode for it). When the kernel does
  // not offer ZEROPAGE on this memory, copies a zero buffer instead.
  PlaceOutcome zero(std::uint64_t page);
  // The same over `count` pages from `first` with one ioctl: `src` holds count * page_size contiguous
  // bytes. The kernel places page by page and stops at the first page it cannot place (see
  // RangeOutcome). `wake` false: UFFDIO_COPY_MODE_DONTWAKE / UFFDIO_ZEROPAGE_MODE_DONTWAKE, for a
  // caller that wakes the range itself later (wake_range()).
  RangeOutcome copy_range(std::uint64_t first, std::uint64_t count, const std::byte* src, bool write_protect,
                          bool wake = true);
  RangeOutcome zero_range(std::uint64_t first, std::uint64_t count, bool wake = true);
  // UFFDIO_WRITEPROTECT of one page: protect (no wake) or unprotect (wakes the writer).
  PlaceOutcome set_write_protect(std::uint64_t page, bool protect);
  // UFFDIO_WAKE of one page: for faults on a page already placed.
  void wake(std::uint64_t page);
  // UFFDIO_WAKE of `count` pages from `first`: after placements made without waking.
  void wake_range(std::uint64_t first, std::uint64_t count);
  // Copies a resident page's current content into `out` (page_size bytes): pread on the memfd when
  // there is one, else the local mapping, else process_vm_readv from the owner. Only for pages the
  // caller knows are resident.
  void read_resident(std::uint64_t page, std::span<std::byte> out) const;

 private:
  UffdRegion() = default;
  void release();

  UniqueFd uffd_;
  UniqueFd memfd_;
  RegionInfo info_;
  pid_t owner_ = 0;
  bool local_ = false;   // the region is mapped in this process at info_.base
  bool mapped_ = false;  // ... and create() mapped it, so the destructor unmaps it
  bool has_zeropage_ = true;
};

}  // namespace jettison::emu
