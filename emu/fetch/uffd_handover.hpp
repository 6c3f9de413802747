// Handing a registered userfaultfd from the process that owns the memory (a VM) to the fetcher, over
// a UNIX socket with SCM_RIGHTS: one small versioned message describing the region, with the uffd
// and, when the memory is a memfd, the memfd attached. The sender keeps its own copy of the uffd, so
// that if the fetcher dies the VM's faults stay blocked instead of being answered with zero pages.
//
// Message v1, native byte order (both ends are on one host), 48 bytes:
//   magic "JUFD" | u16 version = 1 | u16 flags (1: WP registered, 2: memfd attached) | u32 owner pid
//   | u32 reserved (0) | u64 base | u64 length | u64 page size | u64 memfd offset
// The owner pid is in the payload because SO_PEERCRED names the socket's creator, which for a
// socketpair shared across fork() is not the sender.
#pragma once

#include "emu/fetch/uffd_region.hpp"

namespace jettison::emu {

inline constexpr std::uint16_t kUffdHandoverVersion = 1;

// Sends `uffd` (and `memfd` unless -1) with `region` on the connected UNIX socket `sock`. The owner pid
// sent is this process's. Throws UffdError on failure.
void send_uffd(int sock, int uffd, const RegionInfo& region, int memfd = -1);

// Receives one handover message; validates magic, version, flags, alignment and the attached
// descriptors. Throws UffdError naming what is wrong (the descriptors received are closed).
ReceivedUffd receive_uffd(int sock);

}  // namespace jettison::emu
