// An OpenSSL context for one role (client or server) built from a TlsConfig, TLS 1.3 only.
// establish() turns a connected TCP socket into a Stream: it runs the TLS handshake (or nothing
// for kInsecurePlainTcp). A refused peer (wrong key, no TLS, bad certificate) is an AuthError
// naming the peer and OpenSSL's reason.
#pragma once

#include <memory>
#include <string>

#include "emu/wire/stream.hpp"
#include "emu/wire/tcp_socket.hpp"
#include "emu/wire/tls_config.hpp"

namespace jettison::emu {

enum class TlsRole { kClient, kServer };

class TlsContext {
 public:
  TlsContext(const TlsConfig& config, TlsRole role);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  std::unique_ptr<Stream> establish(Fd fd, std::string peer, Deadline deadline) const;
  bool insecure() const;
  const TlsConfig& config() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// OpenSSL's error queue as one line (and cleared), for messages.
std::string openssl_errors();

}  // namespace jettison::emu
