#include "emu/fetch/uffd_region.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/userfaultfd.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace jettison::emu {
namespace {

std::string errno_text(int e) { return fmt::format("{} ({})", std::strerror(e), e); }

// A new userfaultfd, non-blocking. The plain syscall needs CAP_SYS_PTRACE or
// vm.unprivileged_userfaultfd=1; /dev/userfaultfd (kernel >= 6.1) goes by the device node's mode; the
// user-mode-only flavour is a last resort: faults raised by the kernel itself (read(2) into the
// region, vhost) would then fail with EFAULT instead of reaching the fetcher.
UniqueFd open_uffd() {
  const int flags = O_CLOEXEC | O_NONBLOCK;
  int fd = static_cast<int>(::syscall(SYS_userfaultfd, flags));
  if (fd >= 0) return UniqueFd(fd);
  const int syscall_errno = errno;
  int dev_errno = 0;
  const int dev = ::open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
  if (dev >= 0) {
    fd = ::ioctl(dev, USERFAULTFD_IOC_NEW, flags);
    dev_errno = errno;
    ::close(dev);
    if (fd >= 0) return UniqueFd(fd);
  } else {
    dev_errno = errno;
  }
  fd = static_cast<int>(::syscall(SYS_userfaultfd, flags | UFFD_USER_MODE_ONLY));
  if (fd >= 0) {
    spdlog::warn(
        "userfaultfd: only a user-mode-only uffd is allowed here (userfaultfd(2): {}); kernel accesses to "
        "missing pages will fail with EFAULT",
        errno_text(syscall_errno));
    return UniqueFd(fd);
  }
  throw UffdError(
      fmt::format("cannot create a userfaultfd: userfaultfd(2): {}; /dev/userfaultfd: {}; run as root, set "
                  "vm.unprivileged_userfaultfd=1 or give access to /dev/userfaultfd",
                  errno_text(syscall_errno), errno_text(dev_errno)));
}

// The features this kernel offers. UFFDIO_API can be issued once per uffd, so probe on a throwaway one.
std::uint64_t available_features() {
  UniqueFd fd = open_uffd();
  uffdio_api api{};
  api.api = UFFD_API;
  if (::ioctl(fd.get(), UFFDIO_API, &api) != 0)
    throw UffdError(fmt::format("UFFDIO_API (probe): {}", errno_text(errno)));
  return api.features;
}

std::string feature_names(std::uint64_t features) {
  struct Named {
    std::uint64_t bit;
    const char* name;
  };
  static constexpr Named kNames[] = {
      {UFFD_FEATURE_PAGEFAULT_FLAG_WP, "PAGEFAULT_FLAG_WP (write-protect faults)"},
      {UFFD_FEATURE_MISSING_SHMEM, "MISSING_SHMEM (missing faults on shared memory)"},
      {UFFD_FEATURE_WP_HUGETLBFS_SHMEM, "WP_HUGETLBFS_SHMEM (write-protect on shared memory)"},
  };
  std::string out;
  for (const Named& n : kNames) {
    if ((features & n.bit) == 0) continue;
    if (!out.empty()) out += ", ";
    out += n.name;
  }
  return out;
}

// A uffd with the features this region needs, or UffdError naming the missing ones.
UniqueFd open_with_features(bool shmem, bool write_protect) {
  const std::uint64_t available = available_features();
  std::uint64_t needed = 0;
  if (shmem) needed |= UFFD_FEATURE_MISSING_SHMEM;
  if (write_protect) needed |= UFFD_FEATURE_PAGEFAULT_FLAG_WP;
  if (shmem && write_protect) needed |= UFFD_FEATURE_WP_HUGETLBFS_SHMEM;
  if (const std::uint64_t missing = needed & ~available; missing != 0)
    throw UffdError("this kernel's userfaultfd lacks " + feature_names(missing) +
                    (write_protect ? "; dirty tracking needs it (or run without write protection)" : ""));
  // Harmless extras: anonymous memory may turn out to be shared, and WP on shmem needs asking.
  std::uint64_t wanted = needed | (available & UFFD_FEATURE_MISSING_SHMEM);
  if (write_protect) wanted |= available & UFFD_FEATURE_WP_HUGETLBFS_SHMEM;
  UniqueFd fd = open_uffd();
  uffdio_api api{};
  api.api = UFFD_API;
  api.features = wanted;
  if (::ioctl(fd.get(), UFFDIO_API, &api) != 0)
    throw UffdError(fmt::format("UFFDIO_API with features {:#x}: {}", wanted, errno_text(errno)));
  return fd;
}

std::uint64_t system_page_size() { return static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)); }

}  // namespace

std::optional<std::string> userfaultfd_unavailable() {
  try {
    (void)available_features();
    return std::nullopt;
  } catch (const UffdError& e) {
    return std::string(e.what());
  }
}

UffdRegion UffdRegion::create(std::uint64_t pages, bool write_protect) {
  if (pages == 0) throw UffdError("a userfaultfd region needs at least one page");
  const std::uint64_t page_size = system_page_size();
  UniqueFd memfd(::memfd_create("jettison-guest-ram", MFD_CLOEXEC));
  if (!memfd) throw UffdError("memfd_create: " + errno_text(errno));
  const std::uint64_t length = pages * page_size;
  if (::ftruncate(memfd.get(), static_cast<off_t>(length)) != 0)
    throw UffdError(fmt::format("ftruncate of the memfd to {} bytes: {}", length, errno_text(errno)));
  void* base = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, memfd.get(), 0);
  if (base == MAP_FAILED) throw UffdError(fmt::format("mmap of {} bytes: {}", length, errno_text(errno)));
  try {
    UffdRegion region = register_mapping(base, length, write_protect, memfd.get(), 0);
    region.mapped_ = true;
    return region;
  } catch (...) {
    ::munmap(base, length);
    throw;
  }
}

UffdRegion UffdRegion::register_mapping(void* base, std::uint64_t length, bool write_protect, int memfd,
                                        std::uint64_t memfd_offset) {
  const LocalMapping mapping{base, length, memfd, memfd_offset, {}};
  return register_mappings(std::span(&mapping, 1), write_protect);
}

UffdRegion UffdRegion::register_mappings(std::span<const LocalMapping> mappings, bool write_protect) {
  if (mappings.empty()) throw UffdError("register_mappings: no mapping");
  const std::uint64_t page_size = system_page_size();
  UffdRegion region;
  std::vector<RegionInfo> ranges;
  bool shmem = false;
  for (const LocalMapping& m : mappings) {
    const auto address = reinterpret_cast<std::uint64_t>(m.base);
    if (m.length == 0 || address % page_size != 0 || m.length % page_size != 0)
      throw UffdError(
          fmt::format("region {:#x}+{} is not page aligned (page size {})", address, m.length, page_size));
    ranges.push_back(RegionInfo{address, m.length, page_size, write_protect, m.file_offset, m.name});
    UniqueFd fd;
    if (m.fd >= 0) {
      fd = UniqueFd(::fcntl(m.fd, F_DUPFD_CLOEXEC, 0));
      if (!fd) throw UffdError("dup of the memfd: " + errno_text(errno));
      shmem = true;
    }
    region.fds_.push_back(std::move(fd));
  }
  region.set_ranges(std::move(ranges));
  region.uffd_ = open_with_features(shmem, write_protect);
  for (const RegionInfo& r : region.ranges_) {
    uffdio_register reg{};
    reg.range.start = r.base;
    reg.range.len = r.length;
    reg.mode = UFFDIO_REGISTER_MODE_MISSING | (write_protect ? UFFDIO_REGISTER_MODE_WP : 0);
    if (::ioctl(region.uffd_.get(), UFFDIO_REGISTER, &reg) != 0) {
      const int e = errno;
      throw UffdError(fmt::format(
          "UFFDIO_REGISTER {:#x}+{} ({}): {}{}", r.base, r.length, write_protect ? "MISSING|WP" : "MISSING",
          errno_text(e),
          e == EINVAL ? "; the memory must be anonymous, a memfd or tmpfs (not a file on ext4 and the like)"
                      : ""));
    }
    const auto offers = [&](int ioctl_bit) { return (reg.ioctls & (std::uint64_t{1} << ioctl_bit)) != 0; };
    if (!offers(_UFFDIO_COPY)) throw UffdError("the registered region does not offer UFFDIO_COPY");
    if (write_protect && !offers(_UFFDIO_WRITEPROTECT))
      throw UffdError("the registered region does not offer UFFDIO_WRITEPROTECT (dirty tracking)");
    if (!offers(_UFFDIO_ZEROPAGE)) region.has_zeropage_ = false;
  }
  region.owner_ = ::getpid();
  region.local_ = true;
  return region;
}

UffdRegion UffdRegion::adopt(ReceivedUffd received) {
  UffdHandoff handoff;
  handoff.uffd = std::move(received.uffd);
  handoff.regions.push_back(received.region);
  if (received.memfd) handoff.ram_fds.push_back(std::move(received.memfd));
  handoff.owner = received.owner;
  handoff.version = 1;
  return adopt(std::move(handoff));
}

UffdRegion UffdRegion::adopt(UffdHandoff handoff) {
  if (!handoff.uffd) throw UffdError("adopt: no userfaultfd");
  if (handoff.regions.empty()) throw UffdError("adopt: no region");
  if (!handoff.ram_fds.empty() && handoff.ram_fds.size() != handoff.regions.size())
    throw UffdError(
        fmt::format("adopt: {} RAM fds for {} regions", handoff.ram_fds.size(), handoff.regions.size()));
  for (const RegionInfo& r : handoff.regions) {
    if (r.page_size != system_page_size())
      throw UffdError(fmt::format("the handed-over region '{}' has page size {}, this system {}", r.name,
                                  r.page_size, system_page_size()));
    if (r.write_protect != handoff.regions.front().write_protect)
      throw UffdError("adopt: the regions disagree on write protection");
  }
  UffdRegion region;
  region.set_ranges(std::move(handoff.regions));
  region.uffd_ = std::move(handoff.uffd);
  region.fds_ = std::move(handoff.ram_fds);
  region.owner_ = handoff.owner;
  region.local_ = handoff.owner == ::getpid();
  return region;
}

void UffdRegion::set_ranges(std::vector<RegionInfo> ranges) {
  page_size_ = ranges.front().page_size;
  write_protect_ = ranges.front().write_protect;
  std::vector<const RegionInfo*> by_address;
  first_page_.clear();
  pages_ = 0;
  for (const RegionInfo& r : ranges) {
    if (r.page_size != page_size_ || r.pages() == 0)
      throw UffdError(fmt::format("region '{}' {:#x}+{}: page size {}, expected {} and a non-empty range",
                                  r.name, r.base, r.length, r.page_size, page_size_));
    first_page_.push_back(pages_);
    pages_ += r.pages();
    by_address.push_back(&r);
  }
  first_page_.push_back(pages_);
  std::sort(by_address.begin(), by_address.end(),
            [](const RegionInfo* a, const RegionInfo* b) { return a->base < b->base; });
  for (std::size_t i = 1; i < by_address.size(); ++i) {
    const RegionInfo& a = *by_address[i - 1];
    const RegionInfo& b = *by_address[i];
    if (a.base + a.length > b.base)
      throw UffdError(fmt::format("regions '{}' {:#x}+{} and '{}' {:#x}+{} overlap", a.name, a.base, a.length,
                                  b.name, b.base, b.length));
  }
  ranges_ = std::move(ranges);
}

UffdRegion::UffdRegion(UffdRegion&& o) noexcept
    : uffd_(std::move(o.uffd_)),
      ranges_(std::move(o.ranges_)),
      fds_(std::move(o.fds_)),
      first_page_(std::move(o.first_page_)),
      page_size_(o.page_size_),
      pages_(o.pages_),
      write_protect_(o.write_protect_),
      owner_(o.owner_),
      local_(o.local_),
      mapped_(std::exchange(o.mapped_, false)),
      has_zeropage_(o.has_zeropage_) {}

UffdRegion& UffdRegion::operator=(UffdRegion&& o) noexcept {
  if (this != &o) {
    release();
    uffd_ = std::move(o.uffd_);
    ranges_ = std::move(o.ranges_);
    fds_ = std::move(o.fds_);
    first_page_ = std::move(o.first_page_);
    page_size_ = o.page_size_;
    pages_ = o.pages_;
    write_protect_ = o.write_protect_;
    owner_ = o.owner_;
    local_ = o.local_;
    mapped_ = std::exchange(o.mapped_, false);
    has_zeropage_ = o.has_zeropage_;
  }
  return *this;
}

UffdRegion::~UffdRegion() { release(); }

void UffdRegion::release() {
  uffd_.reset();
  if (mapped_ && !ranges_.empty())
    ::munmap(reinterpret_cast<void*>(ranges_.front().base), ranges_.front().length);
  mapped_ = false;
  fds_.clear();
}

std::optional<std::uint64_t> UffdRegion::page_of(std::uint64_t address) const {
  for (std::size_t i = 0; i < ranges_.size(); ++i) {
    const RegionInfo& r = ranges_[i];
    if (address >= r.base && address - r.base < r.length)
      return first_page_[i] + (address - r.base) / page_size_;
  }
  return std::nullopt;
}

std::size_t UffdRegion::range_of(std::uint64_t page) const {
  // The last range starting at or before `page` (first_page_ ends with the total).
  const auto it = std::upper_bound(first_page_.begin(), first_page_.end() - 1, page);
  return static_cast<std::size_t>(it - first_page_.begin()) - 1;
}

std::uint64_t UffdRegion::left_in_range(std::size_t range, std::uint64_t page) const {
  return first_page_[range + 1] - page;
}

std::uint64_t UffdRegion::address_of(std::uint64_t page) const {
  const std::size_t r = range_of(page);
  return ranges_[r].base + (page - first_page_[r]) * page_size_;
}

void UffdRegion::check_pages(std::uint64_t first, std::uint64_t count, const char* op) const {
  if (first >= pages_ || count > pages_ - first)
    throw UffdError(fmt::format("{} of pages {}+{}: beyond the region ({} pages)", op, first, count, pages_));
}

namespace {

PlaceOutcome classify(int e, const char* op, std::uint64_t page, std::uint64_t address) {
  switch (e) {
    case EEXIST:
      return PlaceOutcome::kExists;
    case EAGAIN:
      return PlaceOutcome::kRetry;
    case ENOENT:
    case ESRCH:
      return PlaceOutcome::kGone;
    default:
      throw UffdError(fmt::format("{} of page {} (address {:#x}): {}", op, page, address, errno_text(e)));
  }
}

// Zeros to copy from where ZEROPAGE is not offered, or for write-protected zero pages: a range
// placement copies at most this much at a time.
constexpr std::size_t kZeroBytes = std::size_t{1} << 20;

const std::byte* zero_bytes(std::uint64_t page_size) {
  static const std::vector<std::byte> zeros(kZeroBytes);
  if (page_size > zeros.size()) throw UffdError(fmt::format("page size {} is not supported", page_size));
  return zeros.data();
}

// The result of a range ioctl over pages first.. that failed with `e` after `done` bytes (negative:
// none) of `len`; `address` is the range's start.
RangeOutcome partial(int e, std::int64_t done, std::uint64_t len, const char* op, std::uint64_t page_size,
                     std::uint64_t first, std::uint64_t address) {
  const std::uint64_t placed = done > 0 ? static_cast<std::uint64_t>(done) / page_size : 0;
  // EAGAIN after some progress is how the kernel reports a range cut short (a page needing a retry,
  // or one already mapped: the next call says which). All of it done counts as done.
  if (done > 0 && static_cast<std::uint64_t>(done) >= len) return {placed, PlaceOutcome::kPlaced};
  if (placed > 0) return {placed, PlaceOutcome::kRetry};
  return {0, classify(e, op, first, address)};
}

// Runs `op(first, count)` (an operation within one range) over [first, first + count) split at range
// boundaries, adding up what was placed; stops at the first piece not placed whole.
template <class Op>
RangeOutcome split(std::uint64_t first, std::uint64_t count, Op op) {
  RangeOutcome total;
  while (count > 0) {
    const auto [piece, outcome] = op(first, count);
    total.placed += outcome.placed;
    if (outcome.placed < piece) {
      total.outcome = outcome.outcome;
      return total;
    }
    first += piece;
    count -= piece;
  }
  return total;
}

}  // namespace

RangeOutcome UffdRegion::copy_in_range(std::uint64_t first, std::uint64_t count, const std::byte* src,
                                       bool write_protect, bool wake) {
  uffdio_copy c{};
  c.dst = address_of(first);
  c.src = reinterpret_cast<std::uint64_t>(src);
  c.len = count * page_size_;
  c.mode = (write_protect ? UFFDIO_COPY_MODE_WP : 0) | (wake ? 0 : UFFDIO_COPY_MODE_DONTWAKE);
  if (::ioctl(uffd_.get(), UFFDIO_COPY, &c) == 0) return {count, PlaceOutcome::kPlaced};
  const std::uint64_t done_pages = c.copy > 0 ? static_cast<std::uint64_t>(c.copy) / page_size_ : 0;
  return partial(errno, c.copy, c.len, "UFFDIO_COPY", page_size_, first + done_pages,
                 c.dst + done_pages * page_size_);
}

RangeOutcome UffdRegion::zero_in_range(std::uint64_t first, std::uint64_t count, bool wake) {
  if (!has_zeropage_) {
    const std::uint64_t chunk = kZeroBytes / page_size_;
    return split(first, count, [&](std::uint64_t f, std::uint64_t n) {
      const std::uint64_t piece = std::min(n, chunk);
      return std::pair{piece, copy_in_range(f, piece, zero_bytes(page_size_), false, wake)};
    });
  }
  uffdio_zeropage z{};
  z.range.start = address_of(first);
  z.range.len = count * page_size_;
  z.mode = wake ? 0 : UFFDIO_ZEROPAGE_MODE_DONTWAKE;
  if (::ioctl(uffd_.get(), UFFDIO_ZEROPAGE, &z) == 0) return {count, PlaceOutcome::kPlaced};
  const int e = errno;
  if (e == EINVAL) {
    // Not offered on this memory (a handed-over region does not say): copy zeros instead.
    spdlog::debug("userfaultfd: UFFDIO_ZEROPAGE refused (EINVAL); placing zero pages with UFFDIO_COPY");
    has_zeropage_ = false;
    return zero_in_range(first, count, wake);
  }
  const std::uint64_t done_pages = z.zeropage > 0 ? static_cast<std::uint64_t>(z.zeropage) / page_size_ : 0;
  return partial(e, z.zeropage, z.range.len, "UFFDIO_ZEROPAGE", page_size_, first + done_pages,
                 z.range.start + done_pages * page_size_);
}

RangeOutcome UffdRegion::copy_range(std::uint64_t first, std::uint64_t count, const std::byte* src,
                                    bool write_protect, bool wake) {
  if (count == 0) return {};
  check_pages(first, count, "UFFDIO_COPY");
  return split(first, count, [&](std::uint64_t f, std::uint64_t n) {
    const std::uint64_t piece = std::min(n, left_in_range(range_of(f), f));
    return std::pair{piece, copy_in_range(f, piece, src + (f - first) * page_size_, write_protect, wake)};
  });
}

RangeOutcome UffdRegion::zero_range(std::uint64_t first, std::uint64_t count, bool wake) {
  if (count == 0) return {};
  check_pages(first, count, "UFFDIO_ZEROPAGE");
  return split(first, count, [&](std::uint64_t f, std::uint64_t n) {
    const std::uint64_t piece = std::min(n, left_in_range(range_of(f), f));
    return std::pair{piece, zero_in_range(f, piece, wake)};
  });
}

PlaceOutcome UffdRegion::copy(std::uint64_t page, const std::byte* src, bool write_protect) {
  return copy_range(page, 1, src, write_protect).outcome;
}

PlaceOutcome UffdRegion::zero(std::uint64_t page) { return zero_range(page, 1).outcome; }

PlaceOutcome UffdRegion::set_write_protect(std::uint64_t page, bool protect) {
  check_pages(page, 1, "UFFDIO_WRITEPROTECT");
  uffdio_writeprotect w{};
  w.range.start = address_of(page);
  w.range.len = page_size_;
  w.mode = protect ? UFFDIO_WRITEPROTECT_MODE_WP : 0;
  if (::ioctl(uffd_.get(), UFFDIO_WRITEPROTECT, &w) == 0) return PlaceOutcome::kPlaced;
  return classify(errno, protect ? "UFFDIO_WRITEPROTECT (protect)" : "UFFDIO_WRITEPROTECT (unprotect)", page,
                  w.range.start);
}

void UffdRegion::wake(std::uint64_t page) { wake_range(page, 1); }

void UffdRegion::wake_range(std::uint64_t first, std::uint64_t count) {
  if (count == 0) return;
  check_pages(first, count, "UFFDIO_WAKE");
  split(first, count, [&](std::uint64_t f, std::uint64_t n) {
    const std::uint64_t piece = std::min(n, left_in_range(range_of(f), f));
    uffdio_range r{};
    r.start = address_of(f);
    r.len = piece * page_size_;
    if (::ioctl(uffd_.get(), UFFDIO_WAKE, &r) != 0)
      spdlog::debug("userfaultfd: UFFDIO_WAKE of pages {}+{}: {}", f, piece, errno_text(errno));
    return std::pair{piece, RangeOutcome{piece, PlaceOutcome::kPlaced}};
  });
}

void UffdRegion::read_resident(std::uint64_t page, std::span<std::byte> out) const {
  if (page >= pages())
    throw UffdError(fmt::format("read of page {} beyond the region ({} pages)", page, pages()));
  if (out.size() < page_size_) throw UffdError("read_resident: buffer smaller than a page");
  const std::size_t r = range_of(page);
  const std::uint64_t offset = (page - first_page_[r]) * page_size_;
  const RegionInfo& range = ranges_[r];
  if (r < fds_.size() && fds_[r]) {  // pread never fills a hole, unlike a read through a mapping
    std::size_t done = 0;
    while (done < page_size_) {
      const ssize_t n = ::pread(fds_[r].get(), out.data() + done, page_size_ - done,
                                static_cast<off_t>(range.memfd_offset + offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        throw UffdError(fmt::format("pread of page {} from the RAM file of region '{}': {}", page, range.name,
                                    n == 0 ? std::string("end of file") : errno_text(errno)));
      done += static_cast<std::size_t>(n);
    }
    return;
  }
  if (local_) {
    std::memcpy(out.data(), reinterpret_cast<const void*>(range.base + offset), page_size_);
    return;
  }
  iovec local{out.data(), page_size_};
  iovec remote{reinterpret_cast<void*>(range.base + offset), page_size_};
  const ssize_t n = ::process_vm_readv(owner_, &local, 1, &remote, 1, 0);
  if (n != static_cast<ssize_t>(page_size_))
    throw UffdError(fmt::format("process_vm_readv of page {} from pid {}: {}", page, owner_,
                                n < 0 ? errno_text(errno) : std::string("short read")));
}

}  // namespace jettison::emu
