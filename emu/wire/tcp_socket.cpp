#include "emu/wire/tcp_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "emu/wire/errors.hpp"

namespace jettison::emu {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

void set_socket_options(int fd, const std::string& peer) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    throw PeerGone(fmt::format("{}: fcntl(O_NONBLOCK): {}", peer, errno_text(errno)));
  }
  const int one = 1;
  if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
    throw PeerGone(fmt::format("{}: setsockopt(TCP_NODELAY): {}", peer, errno_text(errno)));
  }
}

// The peer's address alone, and "host:port" ("[host]:port" for IPv6).
std::pair<std::string, std::string> address_text(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = {};
  std::uint16_t port = 0;
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    port = ntohs(a->sin_port);
    return {host, fmt::format("{}:{}", host, port)};
  }
  const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
  ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
  port = ntohs(a->sin6_port);
  return {host, fmt::format("[{}]:{}", host, port)};
}

struct AddrInfo {
  addrinfo* list = nullptr;
  ~AddrInfo() {
    if (list) ::freeaddrinfo(list);
  }
};

AddrInfo resolve(const std::string& host, std::uint16_t port, bool passive, const std::string& what) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  AddrInfo ai;
  const std::string service = std::to_string(port);
  const int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &ai.list);
  if (rc != 0) throw PeerGone(fmt::format("{}: cannot resolve: {}", what, ::gai_strerror(rc)));
  return ai;
}

class TcpStream final : public Stream {
 public:
  TcpStream(Fd fd, std::string peer) : fd_(std::move(fd)), peer_(std::move(peer)) {}

  std::size_t read_some(std::byte* buf, std::size_t n, Deadline deadline) override {
    for (;;) {
      const ssize_t got = ::recv(fd_.get(), buf, n, 0);
      if (got > 0) return static_cast<std::size_t>(got);
      if (got == 0) throw PeerGone(fmt::format("{}: peer closed the connection", peer_));
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        throw PeerGone(fmt::format("{}: recv: {}", peer_, errno_text(errno)));
      if (!wait_ready(fd_.get(), POLLIN, deadline, peer_)) return 0;
    }
  }

  void write_all(const std::byte* buf, std::size_t n, Deadline deadline) override {
    while (n > 0) {
      const ssize_t put = ::send(fd_.get(), buf, n, MSG_NOSIGNAL);
      if (put > 0) {
        buf += put;
        n -= static_cast<std::size_t>(put);
        continue;
      }
      if (put < 0 && errno == EINTR) continue;
      if (put < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        throw PeerGone(fmt::format("{}: send: {}", peer_, errno_text(errno)));
      }
      if (!wait_ready(fd_.get(), POLLOUT, deadline, peer_))
        throw PeerGone(fmt::format("{}: send timed out", peer_));
    }
  }

  const std::string& peer() const override { return peer_; }
  void shutdown() noexcept override {
    if (fd_) ::shutdown(fd_.get(), SHUT_RDWR);
  }

 private:
  Fd fd_;
  std::string peer_;
};

}  // namespace

std::string Endpoint::to_string() const {
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port)
                                             : fmt::format("{}:{}", host, port);
}

Deadline deadline_after(Duration d) { return Clock::now() + std::chrono::microseconds(d.us()); }

bool wait_ready(int fd, short events, Deadline deadline, const std::string& peer) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left < 0) return false;
    pollfd p{fd, events, 0};
    // Round up so a deadline less than 1 ms away still waits instead of spinning.
    const int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left + 1, 60'000)));
    if (rc > 0) return true;  // readable, writable, or an error the next call reports
    if (rc < 0 && errno != EINTR) throw PeerGone(fmt::format("{}: poll: {}", peer, errno_text(errno)));
  }
}

Fd tcp_connect(const Endpoint& endpoint, Deadline deadline) {
  const std::string what = "connect to " + endpoint.to_string();
  AddrInfo ai = resolve(endpoint.host, endpoint.port, false, what);
  std::string last_error = "no address";
  for (addrinfo* a = ai.list; a != nullptr; a = a->ai_next) {
    Fd fd(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (!fd) {
      last_error = "socket: " + errno_text(errno);
      continue;
    }
    set_socket_options(fd.get(), endpoint.to_string());
    if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) < 0) {
      if (errno != EINPROGRESS) {
        last_error = errno_text(errno);
        continue;
      }
      if (!wait_ready(fd.get(), POLLOUT, deadline, endpoint.to_string())) {
        last_error = "timed out";
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
      if (err != 0) {
        last_error = errno_text(err);
        continue;
      }
    }
    return fd;
  }
  throw PeerGone(fmt::format("{}: {}", what, last_error));
}

TcpListener::TcpListener(const std::string& host, std::uint16_t port) {
  const std::string what = fmt::format("listen on {}:{}", host, port);
  AddrInfo ai = resolve(host, port, true, what);
  std::string last_error = "no address";
  for (addrinfo* a = ai.list; a != nullptr; a = a->ai_next) {
    Fd fd(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol));
    if (!fd) {
      last_error = "socket: " + errno_text(errno);
      continue;
    }
    const int one = 1;
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        ::bind(fd.get(), a->ai_addr, a->ai_addrlen) < 0 || ::listen(fd.get(), kListenBacklog) < 0) {
      last_error = errno_text(errno);
      continue;
    }
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &len) < 0) {
      throw WireError(fmt::format("{}: getsockname: {}", what, errno_text(errno)));
    }
    port_ = ss.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port)
                                    : ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    fd_ = std::move(fd);
    return;
  }
  throw WireError(fmt::format("{}: {}", what, last_error));
}

std::optional<Accepted> TcpListener::accept(Deadline deadline) {
  for (;;) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    Fd fd(::accept4(fd_.get(), reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC));
    if (fd) {
      auto [host, peer] = address_text(ss);
      set_socket_options(fd.get(), peer);
      return Accepted{std::move(fd), std::move(peer), std::move(host)};
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) throw WireError("accept: " + errno_text(errno));
    if (!wait_ready(fd_.get(), POLLIN, deadline, "listener")) return std::nullopt;
  }
}

std::unique_ptr<Stream> make_tcp_stream(Fd fd, std::string peer) {
  return std::make_unique<TcpStream>(std::move(fd), std::move(peer));
}

}  // namespace jettison::emu
