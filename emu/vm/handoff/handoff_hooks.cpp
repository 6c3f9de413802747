// libjettison-uffd-handoff.so: preloaded into the destination QEMU (LD_PRELOAD), it takes over the
// guest-RAM files named in JETTISON_HANDOFF_RAM. It interposes open/open64/openat/openat64 (and
// glibc's fortified __open*_2 entry points) to learn which descriptor each RAM file got, and
// mmap/mmap64 to learn where QEMU maps it (MAP_SHARED, possibly MAP_FIXED over a PROT_NONE
// reservation); each such mapping is registered on one userfaultfd before mmap returns, so QEMU never
// touches the memory unregistered. A mapping that cannot be registered is undone and mmap fails with
// the errno (QEMU then refuses to start) rather than letting the guest run on RAM nobody fills. The
// uffd goes to the fetcher over the library's socket (handoff_listener.hpp). Configuration:
// handoff_config.hpp. With JETTISON_HANDOFF_RAM unset every call is passed straight through.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>

#include "emu/vm/handoff/handoff_config.hpp"
#include "emu/vm/handoff/handoff_listener.hpp"
#include "emu/vm/handoff/handoff_log.hpp"
#include "emu/vm/handoff/handoff_real.hpp"
#include "emu/vm/handoff/handoff_regions.hpp"

#define JETTISON_EXPORT extern "C" __attribute__((visibility("default")))

namespace jettison::emu::handoff {
namespace {

// The mode argument exists only when the flags create a file.
bool needs_mode(int flags) { return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE; }

int opened(const char* path, int fd) {
  if (fd >= 0) {
    const int saved = errno;
    note_open(path, fd);
    errno = saved;
  }
  return fd;
}

void* mapped(void* result, std::size_t length, int flags, int fd, std::uint64_t offset) {
  if (result == MAP_FAILED) return result;
  const int saved = errno;
  const int e = note_mmap(result, length, flags, fd, offset);
  if (e == 0) {
    errno = saved;
    return result;
  }
  ::munmap(result, length);
  errno = e;
  return MAP_FAILED;
}

__attribute__((constructor)) void load() {
  (void)real();
  if (!load_config()) {
    log_alert("invalid configuration: refusing to run without the uffd hand-off it asks for");
    ::_exit(1);
  }
}

__attribute__((destructor)) void unload() { remove_socket(); }

}  // namespace
}  // namespace jettison::emu::handoff

using jettison::emu::handoff::mapped;
using jettison::emu::handoff::needs_mode;
using jettison::emu::handoff::opened;
using jettison::emu::handoff::real;

JETTISON_EXPORT int open(const char* path, int flags, ...) {
  mode_t mode = 0;
  if (needs_mode(flags)) {
    va_list args;
    va_start(args, flags);
    mode = static_cast<mode_t>(va_arg(args, unsigned int));
    va_end(args);
  }
  return opened(path, real().open(path, flags, mode));
}

JETTISON_EXPORT int open64(const char* path, int flags, ...) {
  mode_t mode = 0;
  if (needs_mode(flags)) {
    va_list args;
    va_start(args, flags);
    mode = static_cast<mode_t>(va_arg(args, unsigned int));
    va_end(args);
  }
  return opened(path, real().open64(path, flags, mode));
}

JETTISON_EXPORT int openat(int dirfd, const char* path, int flags, ...) {
  mode_t mode = 0;
  if (needs_mode(flags)) {
    va_list args;
    va_start(args, flags);
    mode = static_cast<mode_t>(va_arg(args, unsigned int));
    va_end(args);
  }
  return opened(path, real().openat(dirfd, path, flags, mode));
}

JETTISON_EXPORT int openat64(int dirfd, const char* path, int flags, ...) {
  mode_t mode = 0;
  if (needs_mode(flags)) {
    va_list args;
    va_start(args, flags);
    mode = static_cast<mode_t>(va_arg(args, unsigned int));
    va_end(args);
  }
  return opened(path, real().openat64(dirfd, path, flags, mode));
}

JETTISON_EXPORT int __open_2(const char* path, int flags) { return opened(path, real().open_2(path, flags)); }

JETTISON_EXPORT int __open64_2(const char* path, int flags) {
  return opened(path, real().open64_2(path, flags));
}

JETTISON_EXPORT int __openat_2(int dirfd, const char* path, int flags) {
  return opened(path, real().openat_2(dirfd, path, flags));
}

JETTISON_EXPORT int __openat64_2(int dirfd, const char* path, int flags) {
  return opened(path, real().openat64_2(dirfd, path, flags));
}

JETTISON_EXPORT void* mmap(void* address, size_t length, int prot, int flags, int fd, off_t offset) {
  return mapped(real().mmap(address, length, prot, flags, fd, offset), length, flags, fd,
                static_cast<std::uint64_t>(offset));
}

JETTISON_EXPORT void* mmap64(void* address, size_t length, int prot, int flags, int fd, off64_t offset) {
  return mapped(real().mmap64(address, length, prot, flags, fd, offset), length, flags, fd,
                static_cast<std::uint64_t>(offset));
}
