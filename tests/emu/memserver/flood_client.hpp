// Test support for the connection-limit tests: loopback sockets from a chosen source address (all
// of 127/8 is loopback, so 127.0.0.2 is a second peer), a PageClient over such a socket, whether a
// socket was closed by the server, and a process's threads, descriptors and RSS from /proc.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "emu/wire/channel.hpp"
#include "emu/wire/page_client.hpp"
#include "emu/wire/tcp_socket.hpp"
#include "emu/wire/tls_context.hpp"

namespace jettison::emu::test {

// A TCP connection from `source` (e.g. "127.0.0.2") to 127.0.0.1:port, blocking connect, then
// non-blocking; throws std::runtime_error when it cannot be made.
inline Fd connect_from(const std::string& source, std::uint16_t port) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw std::runtime_error("socket failed");
  sockaddr_in src{};
  src.sin_family = AF_INET;
  ::inet_pton(AF_INET, source.c_str(), &src.sin_addr);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&src), sizeof src) < 0)
    throw std::runtime_error("bind to " + source + " failed");
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&dst), sizeof dst) < 0)
    throw std::runtime_error("connect from " + source + " failed: " + std::strerror(errno));
  ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) | O_NONBLOCK);
  const int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// An authenticated client from `source`: TLS (or plain) and HELLO over connect_from().
inline std::unique_ptr<PageClient> client_from(const std::string& source, std::uint16_t port,
                                               const TlsConfig& tls) {
  const TlsContext context(tls, TlsRole::kClient);
  const std::string peer = "127.0.0.1:" + std::to_string(port);
  auto stream = context.establish(connect_from(source, port), peer, deadline_after(Duration::seconds(10)));
  ClientOptions options;
  options.io_timeout = Duration::seconds(20);
  return std::make_unique<PageClient>(
      std::make_unique<StreamChannel>(std::move(stream), Duration::seconds(10)), options);
}

// Whether the server closed `fd` (EOF or reset) within `bound`; bytes it sent first are skipped.
inline bool closed_by_server(int fd, std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  char buf[4096];
  for (;;) {
    const ssize_t got = ::recv(fd, buf, sizeof buf, 0);
    if (got == 0) return true;
    if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return true;  // reset
    if (got > 0) continue;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(left.count()));
  }
}

struct ProcessUsage {
  std::size_t threads = 0, fds = 0;
  std::uint64_t rss_kib = 0;
};

inline ProcessUsage process_usage(pid_t pid) {
  namespace fs = std::filesystem;
  const fs::path proc = fs::path("/proc") / std::to_string(pid);
  ProcessUsage u;
  std::error_code ec;
  for (auto it = fs::directory_iterator(proc / "task", ec); !ec && it != fs::directory_iterator(); ++it)
    ++u.threads;
  for (auto it = fs::directory_iterator(proc / "fd", ec); !ec && it != fs::directory_iterator(); ++it)
    ++u.fds;
  std::ifstream status(proc / "status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) u.rss_kib = std::stoull(line.substr(6));
  return u;
}

// Polls `done` every 10 ms until it holds or `bound` passed; whether it held.
template <class F>
bool eventually(F&& done, std::chrono::milliseconds bound = std::chrono::milliseconds(10'000)) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace jettison::emu::test
