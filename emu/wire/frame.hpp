// Framing (PROTOCOL.md, "Framing"): an 8-byte big-endian header {u32 payload length, u16 type,
// u16 flags = 0} followed by the payload. A payload above kMaxPayload is a protocol error. Also the
// protocol's constants: versions, limits, capability bits and frame types.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace jettison::emu {

inline constexpr std::uint32_t kMagic = 0x4A54534E;  // "JTSN"
inline constexpr std::uint16_t kProtocolVersionMin = 1;
inline constexpr std::uint16_t kProtocolVersionMax = 2;
inline constexpr std::uint16_t kProtocolVersionVm = 2;  // first version with the VM messages (15..20)
inline constexpr std::size_t kFrameHeaderBytes = 8;
inline constexpr std::size_t kMaxPageData = 1u << 20;                   // page bytes in one frame
inline constexpr std::size_t kMaxPayload = kMaxPageData + (64u << 10);  // plus room for run entries
inline constexpr std::uint32_t kMinPageSize = 4096;
inline constexpr std::uint32_t kMaxPageSize = 65536;
inline constexpr std::size_t kMaxRangesPerGet = 4096;
inline constexpr std::uint64_t kMaxPagesPerGet = 65536;
inline constexpr std::size_t kMaxRunsPerFrame = 4096;
inline constexpr std::size_t kMaxErrorText = 1024;             // ERROR and DEVICE_STATE_ACK texts
inline constexpr std::size_t kMaxDeviceStateChunk = 1u << 20;  // state bytes in one DEVICE_STATE frame
inline constexpr std::uint64_t kMaxDeviceState = 256u << 20;   // a VM's whole device state

// Capability bits (HELLO / HELLO_ACK). Unknown bits are ignored: the server answers with the
// intersection of what both sides know.
inline constexpr std::uint64_t kCapZeroRuns = 1u << 0;   // all-zero pages travel as ZERO runs
inline constexpr std::uint64_t kCapWriteBack = 1u << 1;  // PUT_PAGES / COMMIT allowed
inline constexpr std::uint64_t kCapSleep = 1u << 2;      // SLEEP allowed
inline constexpr std::uint64_t kCapVm = 1u << 3;  // version 2: VM status and device state (types 15..20)
inline constexpr std::uint64_t kCapAll = kCapZeroRuns | kCapWriteBack | kCapSleep | kCapVm;

enum class FrameType : std::uint16_t {
  kHello = 1,
  kHelloAck = 2,
  kGetPages = 3,
  kPages = 4,
  kPutPages = 5,
  kPutAck = 6,
  kCommit = 7,
  kCommitAck = 8,
  kKeepalive = 9,
  kKeepaliveAck = 10,
  kSleep = 11,
  kSleepAck = 12,
  kError = 13,
  kBye = 14,
  // Version 2, capability VM.
  kVmStatus = 15,
  kVmStatusAck = 16,
  kGetDeviceState = 17,
  kDeviceState = 18,
  kPutDeviceState = 19,
  kDeviceStateAck = 20,
};

// The first protocol version that defines frame `type` (0 for a type no version defines).
std::uint16_t frame_type_version(std::uint16_t type);

const char* frame_type_name(std::uint16_t type);

bool valid_page_size(std::uint32_t page_size);

// One frame as it travels: header followed by payload, in one buffer (one write, one TLS record).
struct Frame {
  std::uint16_t type = 0;
  std::vector<std::byte> wire;  // kFrameHeaderBytes + payload

  std::span<const std::byte> payload() const { return std::span(wire).subspan(kFrameHeaderBytes); }
  std::size_t payload_size() const { return wire.size() - kFrameHeaderBytes; }
};

// Starts a frame of `type` whose payload the caller appends to `wire`; finish_frame() fills in the
// length (and checks it against kMaxPayload).
Frame start_frame(FrameType type, std::size_t payload_hint = 0);
void finish_frame(Frame& frame);

struct FrameHeader {
  std::uint32_t payload_length;
  std::uint16_t type;
};

// Validates a received header (length limit, flags zero); throws ProtocolError. The type is not
// checked here: the decoder reports unknown types.
FrameHeader parse_frame_header(std::span<const std::byte, kFrameHeaderBytes> header);

}  // namespace jettison::emu
