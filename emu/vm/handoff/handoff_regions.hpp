// The hand-off library's table of guest-RAM regions: which listed RAM file each open() returned
// (matched by the file's identity, st_dev/st_ino, never by size), the mapping QEMU then made of it
// with MAP_SHARED, and its registration on the one userfaultfd (created at the first region). The
// first registration also creates the listening socket (handoff_listener.hpp).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace jettison::emu::handoff {

struct RegionState {
  bool learned = false;  // open() of the listed path seen: its identity is known
  dev_t dev = 0;
  ino_t ino = 0;
  bool registered = false;
  std::uint64_t base = 0;
  std::uint64_t length = 0;
  std::uint64_t file_offset = 0;
  int fd = -1;  // the library's own duplicate of the RAM file's descriptor
};

// After open() returned `fd` for `path`: when the file is one of the listed RAM files, remembers its
// identity.
void note_open(const char* path, int fd);

// After mmap() of `fd` returned `address`: when it is a MAP_SHARED mapping of a listed RAM file not
// registered yet, registers it. Returns 0 (registered, or not ours), else an errno: the caller must
// undo the mapping and fail, so the guest never runs on RAM nobody fills.
int note_mmap(void* address, std::size_t length, int flags, int fd, std::uint64_t offset);

// For the listener thread: blocks until every listed region is registered; then the table no longer
// changes.
void wait_all_registered();
int uffd();
const RegionState& region(std::uint32_t index);

}  // namespace jettison::emu::handoff
