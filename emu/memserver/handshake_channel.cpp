#include "emu/memserver/handshake_channel.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "emu/wire/errors.hpp"

namespace jettison::emu {

HandshakeChannel::HandshakeChannel(StreamChannel& inner, Deadline deadline, Duration timeout,
                                   std::function<void()> on_in, std::function<void()> on_timeout)
    : inner_(inner),
      deadline_(deadline),
      timeout_(timeout),
      on_in_(std::move(on_in)),
      on_timeout_(std::move(on_timeout)) {
  inner_.set_receive_bounds(kMaxHandshakePayload, deadline_);
}

std::optional<Frame> HandshakeChannel::recv_frame(Duration timeout) {
  if (in_) return inner_.recv_frame(timeout);
  auto timed_out = [&] {
    spdlog::warn("memserver: closing {}: no HELLO within the handshake timeout of {} s", peer(),
                 timeout_.seconds_f());
    if (on_timeout_) on_timeout_();
  };
  if (Clock::now() >= deadline_) {
    timed_out();
    throw PeerGone(fmt::format("{}: handshake not complete within {} s", peer(), timeout_.seconds_f()));
  }
  std::optional<Frame> frame;
  try {
    frame = inner_.recv_frame(timeout);  // bounded by the deadline (set_receive_bounds)
  } catch (const PeerGone&) {
    if (Clock::now() >= deadline_) timed_out();  // a HELLO started but not finished in time
    throw;
  }
  if (frame) {
    in_ = true;
    inner_.set_receive_bounds(kMaxPayload, std::nullopt);
    if (on_in_) on_in_();
  }
  return frame;
}

}  // namespace jettison::emu
