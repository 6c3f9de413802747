// The protocol's messages as C++ values (PROTOCOL.md, "Messages"), and their encoding to frames.
// Page data in decoded messages are views into the received frame: keep the frame alive.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "emu/wire/errors.hpp"
#include "emu/wire/frame.hpp"
#include "emu/wire/vm_status.hpp"

namespace jettison::emu {

struct Hello {
  std::uint32_t magic = kMagic;
  std::uint16_t min_version = kProtocolVersionMin;
  std::uint16_t max_version = kProtocolVersionMax;
  std::uint32_t page_size = 4096;
  std::uint64_t capabilities = kCapAll;
};

struct HelloAck {
  std::uint16_t version = 0;
  std::uint32_t page_size = 0;
  std::uint64_t image_bytes = 0;
  std::uint64_t image_id = 0;
  std::uint64_t generation = 0;
  std::uint64_t capabilities = 0;
};

struct PageRange {
  std::uint64_t first_page = 0;
  std::uint32_t count = 0;
  bool operator==(const PageRange&) const = default;
};

struct GetPages {
  std::uint32_t request_id = 0;
  std::vector<PageRange> ranges;
};

// `count` consecutive pages: either all zero (no data on the wire) or count * page_size bytes.
struct PageRun {
  std::uint64_t first_page = 0;
  std::uint32_t count = 0;
  bool zero = false;
  std::span<const std::byte> data;  // empty for zero runs
};

inline constexpr std::uint16_t kPagesLast = 1u << 0;

struct Pages {
  std::uint32_t request_id = 0;
  bool last = false;
  std::vector<PageRun> runs;
};

struct PutPages {
  std::uint64_t session_id = 0;
  std::uint32_t batch = 0;
  std::vector<PageRun> runs;
};

struct PutAck {
  std::uint64_t session_id = 0;
  std::uint32_t batch = 0;
  std::uint32_t pages = 0;
};

struct Commit {
  std::uint64_t session_id = 0;
  std::uint64_t total_pages = 0;
};

struct CommitAck {
  std::uint64_t session_id = 0;
  std::uint64_t pages_applied = 0;
  std::uint64_t generation = 0;
};

struct Keepalive {
  std::uint64_t nonce = 0;
};
struct KeepaliveAck {
  std::uint64_t nonce = 0;
};
struct Sleep {
  std::uint32_t after_ms = 0;
};
struct SleepAck {};
struct ErrorMsg {
  ErrorCode code = ErrorCode::kBadFrame;
  std::string text;
};
struct Bye {};

// Version 2, capability VM (PROTOCOL.md, "VM messages").
struct VmStatusQuery {};  // VM_STATUS
inline constexpr std::uint32_t kVmUserReturned = 1u << 0;
struct VmStatusAck {
  VmStatus status;
};
struct GetDeviceState {
  std::uint64_t epoch = 0;
};
inline constexpr std::uint32_t kDeviceStateLast = 1u << 0;
// One chunk of a device state stream: `data` holds bytes offset .. offset + data.size() - 1 of
// `total`; `last` exactly when it ends the stream (a view into the received frame).
struct StateChunk {
  std::uint64_t epoch = 0;
  std::uint64_t offset = 0;
  std::uint64_t total = 0;
  bool last = false;
  std::span<const std::byte> data;
};
struct DeviceState : StateChunk {};     // S->C, answering GET_DEVICE_STATE
struct PutDeviceState : StateChunk {};  // C->S, the state sent back on reintegration
struct DeviceStateAck {
  std::uint64_t epoch = 0;
  std::uint32_t result = 0;  // 0 ok, else an ErrorCode (VM_ERROR)
  std::string text;
};

using Message = std::variant<Hello, HelloAck, GetPages, Pages, PutPages, PutAck, Commit, CommitAck, Keepalive,
                             KeepaliveAck, Sleep, SleepAck, ErrorMsg, Bye, VmStatusQuery, VmStatusAck,
                             GetDeviceState, DeviceState, PutDeviceState, DeviceStateAck>;

// What the decoder checks page numbers and data sizes against. Before the handshake
// page_size is 0 and image_pages is 0: page-carrying messages are then refused. Frame types that
// `version` does not define are UNKNOWN_TYPE (set it to the negotiated version).
struct DecodeLimits {
  std::uint32_t page_size = 0;
  std::uint64_t image_pages = 0;
  std::uint16_t version = kProtocolVersionMax;
};

Frame encode(const Message& message, std::uint32_t page_size = 0);

// Validates every field and length of `frame` (see PROTOCOL.md, "Malformed input"); throws
// ProtocolError with the matching code. The result may point into `frame`.
Message decode(const Frame& frame, const DecodeLimits& limits);

const char* message_name(const Message& message);

}  // namespace jettison::emu
