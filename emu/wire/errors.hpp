// Typed failures of the wire layer. Every message names the peer ("10.0.0.2:7000") it concerns.
// PeerGone: the connection is unusable (closed, reset, timed out); the caller reconnects and
// re-sends what is pending. ProtocolError: the peer broke the protocol (malformed or unexpected
// frame); RemoteError: the peer told us so with an ERROR frame. AuthError: TLS refused the peer.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace jettison::emu {

// Error codes carried by ERROR frames (PROTOCOL.md, "Error codes").
enum class ErrorCode : std::uint16_t {
  kBadFrame = 1,          // malformed header or payload (length, reserved field, truncation)
  kUnknownType = 2,       // frame type not defined in the negotiated version
  kBadVersion = 3,        // no common protocol version, or bad magic
  kPageSizeMismatch = 4,  // client page size differs from the image's
  kOutOfRange = 5,        // a page number beyond the image
  kTooLarge = 6,          // frame or request above a limit
  kUnexpected = 7,        // valid frame at the wrong time (e.g. PUT_PAGES without capability)
  kIoError = 8,           // the server failed to read or write its image or journal
  kBusy = 9,              // another write-back session is open
  kShuttingDown = 10,     // the server is stopping (going to sleep)
  kVmError = 11,          // version 2: a VM hook on the desktop failed (the text says why)
  kVmLocal = 12,          // version 2: the VM runs on the desktop, its pages are not served
  kImageChanged = 13,     // the image file changed under the server (truncated, replaced): not served
};

const char* error_code_name(ErrorCode code);

class WireError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class PeerGone : public WireError {
 public:
  using WireError::WireError;
};

class AuthError : public WireError {
 public:
  using WireError::WireError;
};

class ProtocolError : public WireError {
 public:
  ProtocolError(ErrorCode code, const std::string& what) : WireError(what), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

class RemoteError : public ProtocolError {
 public:
  using ProtocolError::ProtocolError;
};

}  // namespace jettison::emu
