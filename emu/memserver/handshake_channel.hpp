// The channel a memory server session reads through, which holds a new connection to its handshake
// bounds until the peer is in. Until the first frame (HELLO) has arrived: a frame announcing more
// than kMaxHandshakePayload bytes is refused (TOO_LARGE) before anything is allocated for it, and no
// read waits past the handshake deadline, which the TLS handshake shares (one deadline from accept
// to HELLO). Past the deadline the connection is closed with a log line naming the peer. Once the
// first frame is in, the bounds are lifted and `on_in` runs (the connection leaves the handshake
// count, see ConnectionLimits).
#pragma once

#include <cstddef>
#include <functional>

#include "common/time.hpp"
#include "emu/wire/channel.hpp"

namespace jettison::emu {

// HELLO has 20 bytes of payload; room for later versions to add some, far below a page frame.
inline constexpr std::size_t kMaxHandshakePayload = 4096;

class HandshakeChannel final : public Channel {
 public:
  // `timeout` is what the deadline was set from (for the log line); `on_timeout` runs once when the
  // deadline ends the handshake.
  HandshakeChannel(StreamChannel& inner, Deadline deadline, Duration timeout, std::function<void()> on_in,
                   std::function<void()> on_timeout);

  void send_frame(const Frame& frame) override { inner_.send_frame(frame); }
  std::optional<Frame> recv_frame(Duration timeout) override;
  const std::string& peer() const override { return inner_.peer(); }
  ChannelStats stats() const override { return inner_.stats(); }
  void close() noexcept override { inner_.close(); }
  bool in() const { return in_; }

 private:
  StreamChannel& inner_;
  Deadline deadline_;
  Duration timeout_;
  std::function<void()> on_in_, on_timeout_;
  bool in_ = false;
};

}  // namespace jettison::emu
