// A connected byte stream (plain TCP or TLS) with deadlines. Both implementations use
// non-blocking sockets and poll(), so a deadline is never overrun by a blocked read.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace jettison::emu {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

class Stream {
 public:
  virtual ~Stream() = default;
  // Reads 1..n bytes; returns 0 if nothing arrived before `deadline`. Throws PeerGone when the
  // peer closed or the connection failed.
  virtual std::size_t read_some(std::byte* buf, std::size_t n, Deadline deadline) = 0;
  // Writes all n bytes or throws PeerGone (also when the deadline passes).
  virtual void write_all(const std::byte* buf, std::size_t n, Deadline deadline) = 0;
  // "host:port" of the other end, for messages and logs.
  virtual const std::string& peer() const = 0;
  // Best-effort orderly close (TLS close_notify, then FIN); never throws.
  virtual void shutdown() noexcept = 0;
};

}  // namespace jettison::emu
