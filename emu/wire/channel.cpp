#include "emu/wire/channel.hpp"

#include <fmt/format.h>

#include "emu/wire/errors.hpp"
#include "emu/wire/tcp_socket.hpp"

namespace jettison::emu {

StreamChannel::StreamChannel(std::unique_ptr<Stream> stream, Duration send_timeout)
    : stream_(std::move(stream)), send_timeout_(send_timeout) {}

void StreamChannel::send_frame(const Frame& frame) {
  stream_->write_all(frame.wire.data(), frame.wire.size(), deadline_after(send_timeout_));
  ++stats_.frames_sent;
  stats_.bytes_sent += frame.wire.size();
}

bool StreamChannel::read_exact(std::byte* buf, std::size_t n, Deadline deadline, bool may_idle) {
  std::size_t have = 0;
  while (have < n) {
    const std::size_t got = stream_->read_some(buf + have, n - have, deadline);
    if (got == 0) {
      if (have == 0 && may_idle) return false;
      throw PeerGone(fmt::format("{}: timed out in the middle of a frame ({} of {} bytes)", peer(), have, n));
    }
    have += got;
  }
  return true;
}

void StreamChannel::set_receive_bounds(std::size_t max_payload, std::optional<Deadline> deadline) {
  max_payload_ = max_payload;
  deadline_ = deadline;
}

std::optional<Frame> StreamChannel::recv_frame(Duration timeout) {
  auto bounded = [&](Deadline d) { return deadline_ && *deadline_ < d ? *deadline_ : d; };
  Frame frame;
  frame.wire.resize(kFrameHeaderBytes);
  if (!read_exact(frame.wire.data(), kFrameHeaderBytes, bounded(deadline_after(timeout)), true))
    return std::nullopt;
  FrameHeader header{};
  try {
    header = parse_frame_header(
        std::span<const std::byte, kFrameHeaderBytes>(frame.wire.data(), kFrameHeaderBytes));
  } catch (const ProtocolError& e) {
    throw ProtocolError(e.code(), fmt::format("{}: {}", peer(), e.what()));
  }
  if (header.payload_length > max_payload_) {
    throw ProtocolError(ErrorCode::kTooLarge,
                        fmt::format("{}: frame header: payload length {} exceeds {} before the handshake",
                                    peer(), header.payload_length, max_payload_));
  }
  frame.type = header.type;
  frame.wire.resize(kFrameHeaderBytes + header.payload_length);
  // The rest of a started frame gets the send timeout (a full frame is at most ~1 MiB).
  read_exact(frame.wire.data() + kFrameHeaderBytes, header.payload_length,
             bounded(deadline_after(send_timeout_)), false);
  ++stats_.frames_received;
  stats_.bytes_received += frame.wire.size();
  return frame;
}

}  // namespace jettison::emu
