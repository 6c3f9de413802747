#include "emu/wire/frame.hpp"

#include <string>

#include "emu/wire/byte_codec.hpp"
#include "emu/wire/errors.hpp"

namespace jettison::emu {

const char* frame_type_name(std::uint16_t type) {
  switch (static_cast<FrameType>(type)) {
    case FrameType::kHello:
      return "HELLO";
    case FrameType::kHelloAck:
      return "HELLO_ACK";
    case FrameType::kGetPages:
      return "GET_PAGES";
    case FrameType::kPages:
      return "PAGES";
    case FrameType::kPutPages:
      return "PUT_PAGES";
    case FrameType::kPutAck:
      return "PUT_ACK";
    case FrameType::kCommit:
      return "COMMIT";
    case FrameType::kCommitAck:
      return "COMMIT_ACK";
    case FrameType::kKeepalive:
      return "KEEPALIVE";
    case FrameType::kKeepaliveAck:
      return "KEEPALIVE_ACK";
    case FrameType::kSleep:
      return "SLEEP";
    case FrameType::kSleepAck:
      return "SLEEP_ACK";
    case FrameType::kError:
      return "ERROR";
    case FrameType::kBye:
      return "BYE";
    case FrameType::kVmStatus:
      return "VM_STATUS";
    case FrameType::kVmStatusAck:
      return "VM_STATUS_ACK";
    case FrameType::kGetDeviceState:
      return "GET_DEVICE_STATE";
    case FrameType::kDeviceState:
      return "DEVICE_STATE";
    case FrameType::kPutDeviceState:
      return "PUT_DEVICE_STATE";
    case FrameType::kDeviceStateAck:
      return "DEVICE_STATE_ACK";
  }
  return "UNKNOWN";
}

std::uint16_t frame_type_version(std::uint16_t type) {
  if (type >= static_cast<std::uint16_t>(FrameType::kHello) &&
      type <= static_cast<std::uint16_t>(FrameType::kBye))
    return 1;
  if (type >= static_cast<std::uint16_t>(FrameType::kVmStatus) &&
      type <= static_cast<std::uint16_t>(FrameType::kDeviceStateAck))
    return kProtocolVersionVm;
  return 0;
}

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadFrame:
      return "BAD_FRAME";
    case ErrorCode::kUnknownType:
      return "UNKNOWN_TYPE";
    case ErrorCode::kBadVersion:
      return "BAD_VERSION";
    case ErrorCode::kPageSizeMismatch:
      return "PAGE_SIZE_MISMATCH";
    case ErrorCode::kOutOfRange:
      return "OUT_OF_RANGE";
    case ErrorCode::kTooLarge:
      return "TOO_LARGE";
    case ErrorCode::kUnexpected:
      return "UNEXPECTED";
    case ErrorCode::kIoError:
      return "IO_ERROR";
    case ErrorCode::kBusy:
      return "BUSY";
    case ErrorCode::kShuttingDown:
      return "SHUTTING_DOWN";
    case ErrorCode::kVmError:
      return "VM_ERROR";
    case ErrorCode::kVmLocal:
      return "VM_LOCAL";
    case ErrorCode::kImageChanged:
      return "IMAGE_CHANGED";
  }
  return "UNKNOWN_ERROR";
}

bool valid_page_size(std::uint32_t page_size) {
  return page_size >= kMinPageSize && page_size <= kMaxPageSize && (page_size & (page_size - 1)) == 0;
}

Frame start_frame(FrameType type, std::size_t payload_hint) {
  Frame f;
  f.type = static_cast<std::uint16_t>(type);
  f.wire.reserve(kFrameHeaderBytes + payload_hint);
  f.wire.resize(kFrameHeaderBytes);
  return f;
}

void finish_frame(Frame& frame) {
  const std::size_t len = frame.payload_size();
  if (len > kMaxPayload) {
    throw ProtocolError(ErrorCode::kTooLarge, std::string(frame_type_name(frame.type)) + ": payload of " +
                                                  std::to_string(len) + " bytes exceeds the limit");
  }
  std::vector<std::byte> header;
  ByteWriter w(header);
  w.u32(static_cast<std::uint32_t>(len));
  w.u16(frame.type);
  w.u16(0);
  std::copy(header.begin(), header.end(), frame.wire.begin());
}

FrameHeader parse_frame_header(std::span<const std::byte, kFrameHeaderBytes> header) {
  ByteReader r(header, "frame header");
  FrameHeader h{};
  h.payload_length = r.u32();
  h.type = r.u16();
  const std::uint16_t flags = r.u16();
  if (h.payload_length > kMaxPayload) {
    throw ProtocolError(ErrorCode::kTooLarge, "frame header: payload length " +
                                                  std::to_string(h.payload_length) + " exceeds " +
                                                  std::to_string(kMaxPayload));
  }
  if (flags != 0) r.fail("flags must be zero (versions 1 and 2)");
  return h;
}

}  // namespace jettison::emu
