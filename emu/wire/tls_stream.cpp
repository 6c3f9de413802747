#include "emu/wire/tls_stream.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "emu/wire/errors.hpp"
#include "emu/wire/tls_context.hpp"

namespace jettison::emu {

TlsStream::TlsStream(SSL* ssl, Fd fd, std::string peer)
    : ssl_(ssl), fd_(std::move(fd)), peer_(std::move(peer)) {
  if (SSL_set_fd(ssl_, fd_.get()) != 1) {
    const std::string why = openssl_errors();
    SSL_free(ssl_);
    ssl_ = nullptr;
    throw WireError(fmt::format("{}: SSL_set_fd: {}", peer_, why));
  }
}

TlsStream::~TlsStream() {
  if (ssl_ != nullptr) SSL_free(ssl_);
}

std::string TlsStream::peer_subject() const {
  X509* cert = SSL_get1_peer_certificate(ssl_);
  if (cert == nullptr) return {};
  std::string out;
  if (BIO* bio = BIO_new(BIO_s_mem())) {
    if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
      char* data = nullptr;
      const long n = BIO_get_mem_data(bio, &data);
      if (n > 0 && data != nullptr) out.assign(data, static_cast<std::size_t>(n));
    }
    BIO_free(bio);
  }
  X509_free(cert);
  return out;
}

bool TlsStream::wait_or_throw(int rc, Deadline deadline, const char* what, bool handshake) {
  const int err = SSL_get_error(ssl_, rc);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      return wait_ready(fd_.get(), POLLIN, deadline, peer_);
    case SSL_ERROR_WANT_WRITE:
      return wait_ready(fd_.get(), POLLOUT, deadline, peer_);
    case SSL_ERROR_ZERO_RETURN:
      throw PeerGone(fmt::format("{}: peer closed the TLS connection", peer_));
    case SSL_ERROR_SYSCALL: {
      const int e = errno;
      const std::string queue = openssl_errors();
      const std::string why = e != 0 ? std::strerror(e) : "unexpected EOF";
      if (handshake) throw AuthError(fmt::format("{}: TLS {} failed: {} ({})", peer_, what, why, queue));
      throw PeerGone(fmt::format("{}: TLS {}: {}", peer_, what, why));
    }
    default: {
      const std::string queue = openssl_errors();
      if (handshake) throw AuthError(fmt::format("{}: TLS {} refused: {}", peer_, what, queue));
      throw PeerGone(fmt::format("{}: TLS {}: {}", peer_, what, queue));
    }
  }
}

void TlsStream::handshake(bool client, Deadline deadline) {
  const char* what = client ? "handshake (connect)" : "handshake (accept)";
  for (;;) {
    ERR_clear_error();
    errno = 0;
    const int rc = client ? SSL_connect(ssl_) : SSL_accept(ssl_);
    if (rc == 1) return;
    if (!wait_or_throw(rc, deadline, what, true))
      throw PeerGone(fmt::format("{}: TLS {} timed out", peer_, what));
  }
}

std::size_t TlsStream::read_some(std::byte* buf, std::size_t n, Deadline deadline) {
  for (;;) {
    ERR_clear_error();
    errno = 0;
    std::size_t got = 0;
    const int rc = SSL_read_ex(ssl_, buf, n, &got);
    if (rc == 1) return got;
    if (!wait_or_throw(rc, deadline, "read", false)) return 0;
  }
}

void TlsStream::write_all(const std::byte* buf, std::size_t n, Deadline deadline) {
  while (n > 0) {
    ERR_clear_error();
    errno = 0;
    std::size_t put = 0;
    const int rc = SSL_write_ex(ssl_, buf, n, &put);
    if (rc == 1) {
      buf += put;
      n -= put;
      continue;
    }
    if (!wait_or_throw(rc, deadline, "write", false))
      throw PeerGone(fmt::format("{}: TLS write timed out", peer_));
  }
}

void TlsStream::shutdown() noexcept {
  if (ssl_ != nullptr) {
    ERR_clear_error();
    (void)SSL_shutdown(ssl_);  // best effort: send close_notify, do not wait for the peer's
    ERR_clear_error();
  }
  if (fd_) ::shutdown(fd_.get(), SHUT_RDWR);
}

}  // namespace jettison::emu
