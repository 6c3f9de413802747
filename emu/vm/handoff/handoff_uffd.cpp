// Creating and registering the hand-off library's userfaultfd (see handoff_uffd.hpp).
#include "emu/vm/handoff/handoff_uffd.hpp"

#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "emu/vm/handoff/handoff_log.hpp"

namespace jettison::emu::handoff {

int create_uffd(bool write_protect) {
  const int flags = O_CLOEXEC | O_NONBLOCK;
  int fd = static_cast<int>(::syscall(SYS_userfaultfd, flags));
  if (fd < 0) {
    const int syscall_errno = errno;
    const long dev = ::syscall(SYS_openat, AT_FDCWD, "/dev/userfaultfd", O_RDWR | O_CLOEXEC);
    int dev_errno = errno;
    if (dev >= 0) {
      fd = ::ioctl(static_cast<int>(dev), USERFAULTFD_IOC_NEW, flags);
      dev_errno = errno;
      ::close(static_cast<int>(dev));
    }
    if (fd < 0) {
      log_alert(
          "cannot create a userfaultfd: userfaultfd(2): %s (%d); /dev/userfaultfd: %s (%d); run QEMU as "
          "root, "
          "set vm.unprivileged_userfaultfd=1 or give QEMU's user access to /dev/userfaultfd",
          std::strerror(syscall_errno), syscall_errno, std::strerror(dev_errno), dev_errno);
      return -syscall_errno;
    }
  }
  uffdio_api api{};
  api.api = UFFD_API;
  api.features = write_protect ? (UFFD_FEATURE_PAGEFAULT_FLAG_WP | UFFD_FEATURE_WP_HUGETLBFS_SHMEM) : 0;
  if (::ioctl(fd, UFFDIO_API, &api) != 0) {
    const int e = errno;
    log_alert("UFFDIO_API with features %#llx refused: %s (%d)%s",
              static_cast<unsigned long long>(
                  write_protect ? (UFFD_FEATURE_PAGEFAULT_FLAG_WP | UFFD_FEATURE_WP_HUGETLBFS_SHMEM) : 0),
              std::strerror(e), e,
              write_protect ? "; dirty tracking needs them (JETTISON_HANDOFF_WP=0 runs without)" : "");
    ::close(fd);
    return -e;
  }
  if ((api.features & UFFD_FEATURE_MISSING_SHMEM) == 0) {
    log_alert("this kernel's userfaultfd does not offer MISSING_SHMEM (missing faults on shared memory)");
    ::close(fd);
    return -EOPNOTSUPP;
  }
  log_line("userfaultfd %d created (kernel features %#llx)", fd,
           static_cast<unsigned long long>(api.features));
  return fd;
}

int register_range(int uffd, std::uint64_t base, std::uint64_t length, bool write_protect) {
  uffdio_register reg{};
  reg.range.start = base;
  reg.range.len = length;
  reg.mode = UFFDIO_REGISTER_MODE_MISSING | (write_protect ? UFFDIO_REGISTER_MODE_WP : 0);
  if (::ioctl(uffd, UFFDIO_REGISTER, &reg) != 0) {
    const int e = errno;
    log_alert("UFFDIO_REGISTER %#llx+%llu (%s): %s (%d)%s", static_cast<unsigned long long>(base),
              static_cast<unsigned long long>(length), write_protect ? "MISSING|WP" : "MISSING",
              std::strerror(e), e,
              e == EINVAL ? "; guest RAM must be shared memory (/dev/shm, memfd), not a file on disk" : "");
    return e;
  }
  const auto offers = [&](int bit) { return (reg.ioctls & (std::uint64_t{1} << bit)) != 0; };
  if (!offers(_UFFDIO_COPY) || (write_protect && !offers(_UFFDIO_WRITEPROTECT))) {
    log_alert("the range %#llx+%llu does not offer %s", static_cast<unsigned long long>(base),
              static_cast<unsigned long long>(length),
              offers(_UFFDIO_COPY) ? "UFFDIO_WRITEPROTECT" : "UFFDIO_COPY");
    return EOPNOTSUPP;
  }
  return 0;
}

}  // namespace jettison::emu::handoff
