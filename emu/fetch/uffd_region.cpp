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
  const std::uint64_t page_size = system_page_size();
  const auto address = reinterpret_cast<std::uint64_t>(base);
  if (length == 0 || address % page_size != 0 || length % page_size != 0)
    throw UffdError(
        fmt::format("region {:#x}+{} is not page aligned (page size {})", address, length, page_size));
  UffdRegion region;
  if (memfd >= 0) {
    region.memfd_ = UniqueFd(::fcntl(memfd, F_DUPFD_CLOEXEC, 0));
    if (!region.memfd_) throw UffdError("dup of the memfd: " + errno_text(errno));
  }
  region.uffd_ = open_with_features(memfd >= 0, write_protect);
  uffdio_register reg{};
  reg.range.start = address;
  reg.range.len = length;
  reg.mode = UFFDIO_REGISTER_MODE_MISSING | (write_protect ? UFFDIO_REGISTER_MODE_WP : 0);
  if (::ioctl(region.uffd_.get(), UFFDIO_REGISTER, &reg) != 0) {
    const int e = errno;
    throw UffdError(fmt::format(
        "UFFDIO_REGISTER {:#x}+{} ({}): {}{}", address, length, write_protect ? "MISSING|WP" : "MISSING",
        errno_text(e),
        e == EINVAL ? "; the memory must be anonymous, a memfd or tmpfs (not a file on ext4 and the like)"
                    : ""));
  }
  const auto offers = [&](int ioctl_bit) { return (reg.ioctls & (std::uint64_t{1} << ioctl_bit)) != 0; };
  if (!offers(_UFFDIO_COPY)) throw UffdError("the registered region does not offer UFFDIO_COPY");
  if (write_protect && !offers(_UFFDIO_WRITEPROTECT))
    throw UffdError("the registered region does not offer UFFDIO_WRITEPROTECT (dirty tracking)");
  region.has_zeropage_ = offers(_UFFDIO_ZEROPAGE);
  region.info_ = RegionInfo{address, length, page_size, write_protect, memfd_offset};
  region.owner_ = ::getpid();
  region.local_ = true;
  return region;
}

UffdRegion UffdRegion::adopt(ReceivedUffd received) {
  const RegionInfo& info = received.region;
  if (!received.uffd) throw UffdError("adopt: no userfaultfd");
  if (info.page_size != system_page_size())
    throw UffdError(fmt::format("the handed-over region has page size {}, this system {}", info.page_size,
                                system_page_size()));
  UffdRegion region;
  region.uffd_ = std::move(received.uffd);
  region.memfd_ = std::move(received.memfd);
  region.info_ = info;
  region.owner_ = received.owner;
  region.local_ = received.owner == ::getpid();
  return region;
}

UffdRegion::UffdRegion(UffdRegion&& o) noexcept
    : uffd_(std::move(o.uffd_)),
      memfd_(std::move(o.memfd_)),
      info_(o.info_),
      owner_(o.owner_),
      local_(o.local_),
      mapped_(std::exchange(o.mapped_, false)),
      has_zeropage_(o.has_zeropage_) {}

UffdRegion& UffdRegion::operator=(UffdRegion&& o) noexcept {
  if (this != &o) {
    release();
    uffd_ = std::move(o.uffd_);
    memfd_ = std::move(o.memfd_);
    info_ = o.info_;
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
  if (mapped_) ::munmap(reinterpret_cast<void*>(info_.base), info_.length);
  mapped_ = false;
  memfd_.reset();
}

std::optional<std::uint64_t> UffdRegion::page_of(std::uint64_t address) const {
  if (address < info_.base || address - info_.base >= info_.length) return std::nullopt;
  return (address - info_.base) / info_.page_size;
}

namespace {

PlaceOutcome classify(int e, const char* op, const RegionInfo& info, std::uint64_t page) {
  switch (e) {
    case EEXIST:
      return PlaceOutcome::kExists;
    case EAGAIN:
      return PlaceOutcome::kRetry;
    case ENOENT:
    case ESRCH:
      return PlaceOutcome::kGone;
    default:
      throw UffdError(fmt::format("{} of page {} (address {:#x}): {}", op, page,
                                  info.base + page * info.page_size, errno_text(e)));
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

// The result of a range ioctl that failed with `e` after `done` bytes (negative: none) of `len`.
RangeOutcome partial(int e, std::int64_t done, std::uint64_t len, const char* op, const RegionInfo& info,
                     std::uint64_t first) {
  const std::uint64_t placed = done > 0 ? static_cast<std::uint64_t>(done) / info.page_size : 0;
  // EAGAIN after some progress is how the kernel reports a range cut short (a page needing a retry,
  // or one already mapped: the next call says which). All of it done counts as done.
  if (done > 0 && static_cast<std::uint64_t>(done) >= len) return {placed, PlaceOutcome::kPlaced};
  if (placed > 0) return {placed, PlaceOutcome::kRetry};
  return {0, classify(e, op, info, first)};
}

}  // namespace

RangeOutcome UffdRegion::copy_range(std::uint64_t first, std::uint64_t count, const std::byte* src,
                                    bool write_protect, bool wake) {
  if (count == 0) return {};
  uffdio_copy c{};
  c.dst = info_.base + first * info_.page_size;
  c.src = reinterpret_cast<std::uint64_t>(src);
  c.len = count * info_.page_size;
  c.mode = (write_protect ? UFFDIO_COPY_MODE_WP : 0) | (wake ? 0 : UFFDIO_COPY_MODE_DONTWAKE);
  if (::ioctl(uffd_.get(), UFFDIO_COPY, &c) == 0) return {count, PlaceOutcome::kPlaced};
  return partial(errno, c.copy, c.len, "UFFDIO_COPY", info_,
                 first + (c.copy > 0 ? c.copy / info_.page_size : 0));
}

RangeOutcome UffdRegion::zero_range(std::uint64_t first, std::uint64_t count, bool wake) {
  if (count == 0) return {};
  if (!has_zeropage_) {
    const std::uint64_t chunk = std::min<std::uint64_t>(count, kZeroBytes / info_.page_size);
    RangeOutcome r = copy_range(first, chunk, zero_bytes(info_.page_size), false, wake);
    if (r.placed == chunk && chunk < count) r.outcome = PlaceOutcome::kRetry;  // more to do: call again
    return r;
  }
  uffdio_zeropage z{};
  z.range.start = info_.base + first * info_.page_size;
  z.range.len = count * info_.page_size;
  z.mode = wake ? 0 : UFFDIO_ZEROPAGE_MODE_DONTWAKE;
  if (::ioctl(uffd_.get(), UFFDIO_ZEROPAGE, &z) == 0) return {count, PlaceOutcome::kPlaced};
  const int e = errno;
  if (e == EINVAL) {
    // Not offered on this memory (a handed-over region does not say): copy zeros instead.
    spdlog::debug("userfaultfd: UFFDIO_ZEROPAGE refused (EINVAL); placing zero pages with UFFDIO_COPY");
    has_zeropage_ = false;
    return zero_range(first, count, wake);
  }
  return partial(e, z.zeropage, z.range.len, "UFFDIO_ZEROPAGE", info_,
                 first + (z.zeropage > 0 ? z.zeropage / info_.page_size : 0));
}

PlaceOutcome UffdRegion::copy(std::uint64_t page, const std::byte* src, bool write_protect) {
  return copy_range(page, 1, src, write_protect).outcome;
}

PlaceOutcome UffdRegion::zero(std::uint64_t page) { return zero_range(page, 1).outcome; }

PlaceOutcome UffdRegion::set_write_protect(std::uint64_t page, bool protect) {
  uffdio_writeprotect w{};
  w.range.start = info_.base + page * info_.page_size;
  w.range.len = info_.page_size;
  w.mode = protect ? UFFDIO_WRITEPROTECT_MODE_WP : 0;
  if (::ioctl(uffd_.get(), UFFDIO_WRITEPROTECT, &w) == 0) return PlaceOutcome::kPlaced;
  return classify(errno, protect ? "UFFDIO_WRITEPROTECT (protect)" : "UFFDIO_WRITEPROTECT (unprotect)", info_,
                  page);
}

void UffdRegion::wake(std::uint64_t page) {
  uffdio_range r{};
  r.start = info_.base + page * info_.page_size;
  r.len = info_.page_size;
  if (::ioctl(uffd_.get(), UFFDIO_WAKE, &r) != 0)
    spdlog::debug("userfaultfd: UFFDIO_WAKE of page {}: {}", page, errno_text(errno));
}

void UffdRegion::wake_range(std::uint64_t first, std::uint64_t count) {
  if (count == 0) return;
  uffdio_range r{};
  r.start = info_.base + first * info_.page_size;
  r.len = count * info_.page_size;
  if (::ioctl(uffd_.get(), UFFDIO_WAKE, &r) != 0)
    spdlog::debug("userfaultfd: UFFDIO_WAKE of pages {}+{}: {}", first, count, errno_text(errno));
}

void UffdRegion::read_resident(std::uint64_t page, std::span<std::byte> out) const {
  if (page >= pages())
    throw UffdError(fmt::format("read of page {} beyond the region ({} pages)", page, pages()));
  if (out.size() < info_.page_size) throw UffdError("read_resident: buffer smaller than a page");
  const std::uint64_t offset = page * info_.page_size;
  if (memfd_) {  // pread never fills a hole, unlike a read through a mapping
    std::size_t done = 0;
    while (done < info_.page_size) {
      const ssize_t n = ::pread(memfd_.get(), out.data() + done, info_.page_size - done,
                                static_cast<off_t>(info_.memfd_offset + offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        throw UffdError(fmt::format("pread of page {} from the memfd: {}", page,
                                    n == 0 ? std::string("end of file") : errno_text(errno)));
      done += static_cast<std::size_t>(n);
    }
    return;
  }
  if (local_) {
    std::memcpy(out.data(), reinterpret_cast<const void*>(info_.base + offset), info_.page_size);
    return;
  }
  iovec local{out.data(), info_.page_size};
  iovec remote{reinterpret_cast<void*>(info_.base + offset), info_.page_size};
  const ssize_t n = ::process_vm_readv(owner_, &local, 1, &remote, 1, 0);
  if (n != static_cast<ssize_t>(info_.page_size))
    throw UffdError(fmt::format("process_vm_readv of page {} from pid {}: {}", page, owner_,
                                n < 0 ? errno_text(errno) : std::string("short read")));
}

}  // namespace jettison::emu
