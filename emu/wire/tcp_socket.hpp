// TCP sockets: an owning file descriptor, connect and listen/accept with deadlines, and the plain
// (insecure) Stream. Sockets are non-blocking with TCP_NODELAY.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "common/time.hpp"
#include "emu/sys/unique_fd.hpp"
#include "emu/wire/stream.hpp"

namespace jettison::emu {

// A socket's descriptor, closed once.
using Fd = UniqueFd;

struct Endpoint {
  std::string host;  // numeric IPv4/IPv6 address or a name
  std::uint16_t port = 0;
  std::string to_string() const;
};

Deadline deadline_after(Duration d);

// Waits until `fd` is ready for `events` (POLLIN/POLLOUT); false when the deadline passed.
// Throws PeerGone (naming `peer`) on poll failure.
bool wait_ready(int fd, short events, Deadline deadline, const std::string& peer);

// Connects with a deadline; throws PeerGone("connect to host:port: ...").
Fd tcp_connect(const Endpoint& endpoint, Deadline deadline);

struct Accepted {
  Fd fd;
  std::string peer;  // "host:port", for messages
  std::string host;  // the peer's address alone ("10.0.0.2", "::1"), for per-peer bookkeeping
};

// Connections the kernel queues before accept(). The memory server accepts at once and closes what
// is over its limits, so the queue only absorbs bursts; a deep one keeps a flood's SYNs from
// crowding out a real client's.
inline constexpr int kListenBacklog = 1024;

class TcpListener {
 public:
  // Binds and listens (backlog kListenBacklog); port 0 picks a free port (see port()). Throws
  // WireError.
  TcpListener(const std::string& host, std::uint16_t port);
  std::uint16_t port() const { return port_; }
  // Waits for a connection until the deadline; nullopt on timeout.
  std::optional<Accepted> accept(Deadline deadline);

 private:
  Fd fd_;
  std::uint16_t port_ = 0;
};

std::unique_ptr<Stream> make_tcp_stream(Fd fd, std::string peer);

}  // namespace jettison::emu
