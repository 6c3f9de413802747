// A memory region registered with userfaultfd, and the few operations a page fetcher performs on it:
// place a page (UFFDIO_COPY / UFFDIO_ZEROPAGE), write-unprotect it (UFFDIO_WRITEPROTECT), wake its
// waiters, read a resident page for write-back.
//
// A region is one uffd over one or several ranges (a VM's RAM blocks: one process, one uffd, several
// registered ranges). Its page index space is the ranges laid end to end in their given order: range
// i's pages follow range i-1's, so page numbers agree with a desktop image made of the RAM files laid
// end to end (with one range, just that file). Every page operation maps page -> (range, address) and
// a range operation is split at range boundaries.
//
// Four ways to get one:
//   create()            maps a fresh memfd (shared) in this process and registers it: tests, replay.
//   register_mapping()  registers an existing mapping of this process (one range).
//   register_mappings() registers several mappings of this process on one uffd (tests; what the
//                       LD_PRELOAD hand-off library in QEMU does, emu/vm/handoff/).
//   adopt()             takes a uffd received from another process (receive_uffd(), receive_handoff()).
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
#include <vector>

#include "emu/sys/unique_fd.hpp"

namespace jettison::emu {

// A userfaultfd operation failed in a way the fetcher cannot handle (bad registration, missing kernel
// feature, an unexpected errno). The message names the operation, the address and the errno.
class UffdError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One registered range (what its owner registered); also a region record of the hand-off message.
struct RegionInfo {
  std::uint64_t base = 0;          // start address in the owner's address space, page aligned
  std::uint64_t length = 0;        // bytes, a multiple of page_size
  std::uint64_t page_size = 0;     // the system page size (huge pages are not supported yet)
  bool write_protect = false;      // registered with UFFDIO_REGISTER_MODE_WP: dirty tracking is on
  std::uint64_t memfd_offset = 0;  // offset of `base` in the range's RAM file (memfd, /dev/shm file)
  std::string name;                // the RAM file's base name or the memory backend id (may be empty)

  std::uint64_t pages() const { return page_size == 0 ? 0 : length / page_size; }
};

// One mapping of this process to register (register_mappings()).
struct LocalMapping {
  void* base = nullptr;
  std::uint64_t length = 0;
  int fd = -1;  // its RAM file (duplicated, not taken: read_resident() preads it), or -1
  std::uint64_t file_offset = 0;
  std::string name;
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

// What a received v1 message comes with, one range (see uffd_handover.hpp).
struct ReceivedUffd {
  UniqueFd uffd;
  UniqueFd memfd;  // may be empty (anonymous memory)
  RegionInfo region;
  pid_t owner = 0;  // the process whose address space the region lives in
};

// What a received hand-off message comes with, any number of ranges (see uffd_handover.hpp).
struct UffdHandoff {
  UniqueFd uffd;                    // one uffd registered over every range
  std::vector<RegionInfo> regions;  // in message order: the page index space
  std::vector<UniqueFd> ram_fds;    // one per region, same order; empty for a v1 anonymous region
  pid_t owner = 0;                  // the process whose address space the regions live in
  std::uint16_t version = 0;        // of the message received
  bool write_protect() const { return !regions.empty() && regions.front().write_protect; }
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
  // One uffd over every mapping, in this order (the page index space); they must not overlap.
  static UffdRegion register_mappings(std::span<const LocalMapping> mappings, bool write_protect);
  static UffdRegion adopt(ReceivedUffd received);
  static UffdRegion adopt(UffdHandoff handoff);

  UffdRegion(UffdRegion&& o) noexcept;
  UffdRegion& operator=(UffdRegion&& o) noexcept;
  UffdRegion(const UffdRegion&) = delete;
  UffdRegion& operator=(const UffdRegion&) = delete;
  // Closes the uffd (unregistering the region when this was the last reference) and unmaps what
  // create() mapped. Threads still blocked in a fault on a region create() made would then see
  // zero pages: stop faulting before destroying it.
  ~UffdRegion();

  int fd() const { return uffd_.get(); }
  // The first range's RAM file (-1 if none).
  int memfd() const { return fds_.empty() ? -1 : fds_.front().get(); }
  // The first range: the whole region when it has one range (create(), register_mapping()).
  const RegionInfo& info() const { return ranges_.front(); }
  // Every range, in page order; range i starts at page first_page(i).
  std::span<const RegionInfo> ranges() const { return ranges_; }
  std::uint64_t first_page(std::size_t range) const { return first_page_[range]; }
  std::uint64_t page_size() const { return page_size_; }
  std::uint64_t pages() const { return pages_; }
  bool write_protect() const { return write_protect_; }
  // The first range's memory in this process (create(), register_mapping()), or null when it lives in
  // another one.
  std::byte* local_data() const { return local_ ? reinterpret_cast<std::byte*>(info().base) : nullptr; }
  pid_t owner() const { return owner_; }

  // The page holding `address` (an address from a fault message), or nullopt if outside every range.
  std::optional<std::uint64_t> page_of(std::uint64_t address) const;
  // The address of `page` in the owner's address space.
  std::uint64_t address_of(std::uint64_t page) const;

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
  // UFFDIO_WAKE of `count` pages from `first`: after placements made without waking, and over the
  // whole region when a fetcher adopts it (faults a dead fetcher had read are raised again).
  void wake_range(std::uint64_t first, std::uint64_t count);
  // Copies a resident page's current content into `out` (page_size bytes): pread on its range's RAM
  // file when there is one, else the local mapping, else process_vm_readv from the owner. Only for
  // pages the caller knows are resident.
  void read_resident(std::uint64_t page, std::span<std::byte> out) const;

 private:
  UffdRegion() = default;
  void release();
  // The range holding `page` (< pages()).
  std::size_t range_of(std::uint64_t page) const;
  // Pages from `page` to the end of its range.
  std::uint64_t left_in_range(std::size_t range, std::uint64_t page) const;
  void check_pages(std::uint64_t first, std::uint64_t count, const char* op) const;
  // Sets the ranges (validated: page aligned, not overlapping) and the page index space.
  void set_ranges(std::vector<RegionInfo> ranges);
  RangeOutcome copy_in_range(std::uint64_t first, std::uint64_t count, const std::byte* src,
                             bool write_protect, bool wake);
  RangeOutcome zero_in_range(std::uint64_t first, std::uint64_t count, bool wake);

  UniqueFd uffd_;
  std::vector<RegionInfo> ranges_;
  std::vector<UniqueFd> fds_;              // per range (an empty one: no RAM file); may be empty
  std::vector<std::uint64_t> first_page_;  // per range, plus the total at the end
  std::uint64_t page_size_ = 0;
  std::uint64_t pages_ = 0;
  bool write_protect_ = false;
  pid_t owner_ = 0;
  bool local_ = false;   // the ranges are mapped in this process
  bool mapped_ = false;  // ... and create() mapped the (one) range, so the destructor unmaps it
  bool has_zeropage_ = true;
};

}  // namespace jettison::emu
