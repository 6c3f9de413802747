// A Stream over an OpenSSL connection on a non-blocking socket: WANT_READ/WANT_WRITE wait in
// poll() until the deadline.
#pragma once

#include <openssl/ssl.h>

#include <string>

#include "emu/wire/stream.hpp"
#include "emu/wire/tcp_socket.hpp"

namespace jettison::emu {

class TlsStream final : public Stream {
 public:
  TlsStream(SSL* ssl, Fd fd, std::string peer);  // takes ownership of ssl
  ~TlsStream() override;
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // Runs the handshake; AuthError on refusal, PeerGone on timeout or a dropped connection.
  void handshake(bool client, Deadline deadline);

  std::size_t read_some(std::byte* buf, std::size_t n, Deadline deadline) override;
  void write_all(const std::byte* buf, std::size_t n, Deadline deadline) override;
  const std::string& peer() const override { return peer_; }
  // The peer certificate's subject (RFC 2253, "CN=server-1,O=lab"), "" without one.
  std::string peer_subject() const;
  void shutdown() noexcept override;

 private:
  // After an OpenSSL call returned `rc`: waits as asked and returns true to retry, false on
  // timeout; throws on failure. `what` names the operation for messages.
  bool wait_or_throw(int rc, Deadline deadline, const char* what, bool handshake);

  SSL* ssl_;
  Fd fd_;
  std::string peer_;
};

}  // namespace jettison::emu
