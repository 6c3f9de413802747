// The transport as the protocol code sees it: whole frames in and out, with timeouts. One
// implementation (StreamChannel) frames bytes over a Stream (plain TCP or TLS); tests may add
// others. A Channel is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/time.hpp"
#include "emu/wire/frame.hpp"
#include "emu/wire/stream.hpp"

namespace jettison::emu {

struct ChannelStats {
  std::uint64_t frames_sent = 0, frames_received = 0;
  std::uint64_t bytes_sent = 0, bytes_received = 0;  // frame bytes (headers included), before TLS
};

class Channel {
 public:
  virtual ~Channel() = default;
  // Throws PeerGone if the frame cannot be written within the send timeout.
  virtual void send_frame(const Frame& frame) = 0;
  // nullopt if no frame started within `timeout`; PeerGone if the peer left or a started frame
  // did not complete in time; ProtocolError for a bad header (oversized, flags set).
  virtual std::optional<Frame> recv_frame(Duration timeout) = 0;
  virtual const std::string& peer() const = 0;
  virtual ChannelStats stats() const = 0;
  virtual void close() noexcept = 0;
};

class StreamChannel final : public Channel {
 public:
  StreamChannel(std::unique_ptr<Stream> stream, Duration send_timeout);
  void send_frame(const Frame& frame) override;
  std::optional<Frame> recv_frame(Duration timeout) override;
  const std::string& peer() const override { return stream_->peer(); }
  ChannelStats stats() const override { return stats_; }
  void close() noexcept override { stream_->shutdown(); }
  // Bounds on what is received from a peer that has not finished its handshake: a frame announcing
  // more than `max_payload` bytes is a ProtocolError (TOO_LARGE) before its payload is allocated,
  // and no read waits past `deadline`. The defaults (kMaxPayload, none) lift them.
  void set_receive_bounds(std::size_t max_payload, std::optional<Deadline> deadline);

 private:
  // Reads exactly n bytes; false if nothing at all arrived before the deadline and `may_idle`.
  bool read_exact(std::byte* buf, std::size_t n, Deadline deadline, bool may_idle);

  std::unique_ptr<Stream> stream_;
  Duration send_timeout_;
  ChannelStats stats_;
  std::size_t max_payload_ = kMaxPayload;
  std::optional<Deadline> deadline_;
};

}  // namespace jettison::emu
