// Handing a registered userfaultfd from the process that owns the memory (a VM) to the fetcher, over
// a UNIX socket with SCM_RIGHTS: one small versioned message describing the region(s), with the uffd
// and the RAM file descriptor(s) attached. The sender keeps its own copy of the uffd, so that if the
// fetcher dies the VM's faults stay blocked instead of being answered with zero pages, and a restarted
// fetcher can receive the same uffd again (re-adoption, see fetcher.hpp).
//
// Message v2 (what the LD_PRELOAD hand-off library in QEMU sends, emu/vm/handoff/; send_handoff()),
// native byte order, no padding, 20 + 64 * count bytes (layout: uffd_handoff_format.hpp):
//   header: magic "JUFD" | u16 version = 2 | u16 flags (bit 0: WP registered) | u32 owner pid
//           | u32 region count (1..64) | u32 reserved (0)
//   region: char name[32] (NUL-terminated: the RAM file's base name or the memory backend id)
//           | u64 base | u64 length | u64 page size | u64 file offset
//   attached, in order: the one uffd registered over every region, then one RAM fd per region.
// The page index space is the regions laid end to end in message order (UffdRegion).
//
// Message v1 (legacy, one region, 48 bytes; send_uffd()): magic "JUFD" | u16 version = 1 | u16 flags
//   (1: WP registered, 2: memfd attached) | u32 owner pid | u32 reserved (0) | u64 base | u64 length
//   | u64 page size | u64 memfd offset; the uffd and, with flag 2, the memfd attached. Still sent for
//   anonymous memory (no RAM fd) and accepted by both receivers.
//
// The owner pid is in the payload because SO_PEERCRED names the socket's creator, which for a
// socketpair shared across fork() is not the sender.
#pragma once

#include <span>

#include "emu/fetch/uffd_region.hpp"

namespace jettison::emu {

inline constexpr std::uint16_t kUffdHandoverVersion = 1;  // what send_uffd() sends
inline constexpr std::uint16_t kUffdHandoffVersion = 2;   // what send_handoff() sends

// Sends `uffd` (and `memfd` unless -1) with `region` on the connected UNIX socket `sock` (message v1).
// The owner pid sent is this process's. Throws UffdError on failure.
void send_uffd(int sock, int uffd, const RegionInfo& region, int memfd = -1);

// Sends `uffd`, `regions` (1..64, all with the same write_protect) and one RAM fd per region (message
// v2). The owner pid sent is this process's. Throws UffdError on failure.
void send_handoff(int sock, int uffd, std::span<const RegionInfo> regions, std::span<const int> ram_fds);

// Receives one message of either version and validates everything: magic, version, flags, reserved
// words, region count (1..64), names, page size (a power of two, the same for all), alignment of
// base, length and file offset, overlapping regions, the number of descriptors (the uffd plus one
// RAM fd per region for v2) and each RAM file's size. Throws UffdError naming what is wrong (the
// descriptors received are closed, the rest of a bad message is discarded).
UffdHandoff receive_handoff(int sock);

// The same for a single region (v1, or v2 with one region): what a fetcher of one range expects.
ReceivedUffd receive_uffd(int sock);

}  // namespace jettison::emu
