// The one userfaultfd the hand-off library creates inside QEMU, and the registration of each RAM
// mapping on it. Failures are alerted (log file and stderr) with the errno and return it.
#pragma once

#include <cstdint>

namespace jettison::emu::handoff {

// A new userfaultfd (O_CLOEXEC | O_NONBLOCK: the fetcher polls it), through userfaultfd(2) or
// /dev/userfaultfd, never the user-mode-only kind (KVM's own accesses must fault too), with UFFDIO_API
// done: features PAGEFAULT_FLAG_WP | WP_HUGETLBFS_SHMEM (0x1001) when `write_protect`, none otherwise;
// the kernel must offer MISSING_SHMEM. Returns the fd, or -errno.
int create_uffd(bool write_protect);

// UFFDIO_REGISTER of [base, base + length) with MISSING (| WP), checking that the range offers
// UFFDIO_COPY (and UFFDIO_WRITEPROTECT with WP). Returns 0 or an errno.
int register_range(int uffd, std::uint64_t base, std::uint64_t length, bool write_protect);

}  // namespace jettison::emu::handoff
