// The byte layout of the userfaultfd hand-off message, shared by the fetcher's side
// (emu/fetch/uffd_handover.cpp) and the LD_PRELOAD library inside QEMU (emu/vm/handoff/), which must
// not depend on anything but libc: plain encode/decode of fixed-size fields, no allocation, no
// exceptions. Native byte order, no padding (both ends are on one host). Validation lives with the
// receiver (receive_handoff()).
//
// v2 (what the library sends): a 20-byte header, then `count` region records of 64 bytes each:
//   header  0: char magic[4] = "JUFD"   4: u16 version = 2   6: u16 flags (bit 0: WP registered)
//           8: u32 owner pid           12: u32 region count (1..64)   16: u32 reserved (0)
//   region  0: char name[32] (NUL-terminated: the RAM file's base name or the memory backend id)
//          32: u64 base   40: u64 length   48: u64 page size   56: u64 file offset (of base in the file)
// Attached with SCM_RIGHTS, in order: the one userfaultfd registered over every region, then one RAM
// file descriptor per region, in region order. The page index space is the regions laid end to end in
// message order.
//
// v1 (legacy, one region, 48 bytes): magic | u16 version = 1 | u16 flags (1: WP, 2: memfd attached) |
//   u32 owner pid | u32 reserved | u64 base | u64 length | u64 page size | u64 memfd offset; the uffd
//   and, with flag 2, the memfd attached.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace jettison::emu::handoff_format {

inline constexpr char kMagic[4] = {'J', 'U', 'F', 'D'};
inline constexpr std::uint16_t kVersion1 = 1;
inline constexpr std::uint16_t kVersion2 = 2;
inline constexpr std::uint16_t kFlagWriteProtect = 1;
inline constexpr std::uint16_t kFlagMemfdV1 = 2;  // v1 only

inline constexpr std::size_t kHeaderSize = 20;  // v2 header; also the first bytes read of any version
inline constexpr std::size_t kV1Size = 48;
inline constexpr std::size_t kRegionSize = 64;
inline constexpr std::size_t kNameSize = 32;
inline constexpr std::uint32_t kMaxRegions = 64;
inline constexpr std::size_t kMaxMessageSize = kHeaderSize + kRegionSize * kMaxRegions;
inline constexpr std::size_t kMaxFds = 1 + kMaxRegions;  // the uffd and one RAM fd per region

struct Header {
  std::uint16_t version = kVersion2;
  std::uint16_t flags = 0;
  std::uint32_t owner = 0;
  std::uint32_t count = 0;  // v2; v1 has its reserved word here
  std::uint32_t reserved = 0;
};

struct Region {
  char name[kNameSize] = {};
  std::uint64_t base = 0;
  std::uint64_t length = 0;
  std::uint64_t page_size = 0;
  std::uint64_t file_offset = 0;
};

template <class T>
inline void put(std::byte* out, std::size_t at, T value) noexcept {
  std::memcpy(out + at, &value, sizeof value);
}
template <class T>
inline T get(const std::byte* in, std::size_t at) noexcept {
  T value;
  std::memcpy(&value, in + at, sizeof value);
  return value;
}

inline void encode_header(std::byte* out, const Header& h) noexcept {
  std::memcpy(out, kMagic, sizeof kMagic);
  put(out, 4, h.version);
  put(out, 6, h.flags);
  put(out, 8, h.owner);
  put(out, 12, h.count);
  put(out, 16, h.reserved);
}

inline bool has_magic(const std::byte* in) noexcept { return std::memcmp(in, kMagic, sizeof kMagic) == 0; }

inline Header decode_header(const std::byte* in) noexcept {
  Header h;
  h.version = get<std::uint16_t>(in, 4);
  h.flags = get<std::uint16_t>(in, 6);
  h.owner = get<std::uint32_t>(in, 8);
  h.count = get<std::uint32_t>(in, 12);
  h.reserved = get<std::uint32_t>(in, 16);
  return h;
}

inline void encode_region(std::byte* out, const Region& r) noexcept {
  std::memcpy(out, r.name, kNameSize);
  put(out, 32, r.base);
  put(out, 40, r.length);
  put(out, 48, r.page_size);
  put(out, 56, r.file_offset);
}

inline Region decode_region(const std::byte* in) noexcept {
  Region r;
  std::memcpy(r.name, in, kNameSize);
  r.base = get<std::uint64_t>(in, 32);
  r.length = get<std::uint64_t>(in, 40);
  r.page_size = get<std::uint64_t>(in, 48);
  r.file_offset = get<std::uint64_t>(in, 56);
  return r;
}

// Copies `name` into a record's name field, cut to fit with the terminating NUL.
inline void set_name(Region& r, const char* name) noexcept {
  std::size_t n = 0;
  while (name[n] != '\0' && n + 1 < kNameSize) {
    r.name[n] = name[n];
    ++n;
  }
  r.name[n] = '\0';
}

}  // namespace jettison::emu::handoff_format
