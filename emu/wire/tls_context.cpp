#include "emu/wire/tls_context.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstring>
#include <mutex>

#include "common/input_error.hpp"
#include "emu/wire/errors.hpp"
#include "emu/wire/tls_stream.hpp"

namespace jettison::emu {

namespace {
// TLS 1.3 PSKs are tied to a hash; both sides use TLS_AES_128_GCM_SHA256 (RFC 8446 id 0x13,0x01).
constexpr unsigned char kPskCipherId[] = {0x13, 0x01};
constexpr const char* kPskCipherSuites = "TLS_AES_128_GCM_SHA256";
}  // namespace

struct TlsContext::Impl {
  TlsConfig config;
  TlsRole role;
  SSL_CTX* ctx = nullptr;

  // Freed here, not in ~TlsContext: a constructor that throws (a missing certificate) never runs
  // ~TlsContext, but does destroy its Impl.
  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    if (ctx != nullptr) SSL_CTX_free(ctx);
  }

  SSL_SESSION* make_psk_session(SSL* ssl) const {
    const SSL_CIPHER* cipher = SSL_CIPHER_find(ssl, kPskCipherId);
    if (cipher == nullptr) return nullptr;
    SSL_SESSION* s = SSL_SESSION_new();
    if (s == nullptr) return nullptr;
    if (SSL_SESSION_set1_master_key(s, config.psk_key.data(), config.psk_key.size()) != 1 ||
        SSL_SESSION_set_cipher(s, cipher) != 1 || SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION) != 1) {
      SSL_SESSION_free(s);
      return nullptr;
    }
    return s;
  }
};

namespace {

TlsContext::Impl* impl_of(SSL* ssl) {
  return static_cast<TlsContext::Impl*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
}

int psk_use_session(SSL* ssl, const EVP_MD* md, const unsigned char** id, std::size_t* idlen,
                    SSL_SESSION** sess) {
  auto* impl = impl_of(ssl);
  *sess = nullptr;
  const SSL_CIPHER* cipher = SSL_CIPHER_find(ssl, kPskCipherId);
  if (cipher == nullptr) return 0;
  if (md != nullptr && md != SSL_CIPHER_get_handshake_digest(cipher)) return 1;  // no PSK for that hash
  *sess = impl->make_psk_session(ssl);
  if (*sess == nullptr) return 0;
  *id = reinterpret_cast<const unsigned char*>(impl->config.psk_identity.data());
  *idlen = impl->config.psk_identity.size();
  return 1;
}

int psk_find_session(SSL* ssl, const unsigned char* identity, std::size_t identity_len, SSL_SESSION** sess) {
  auto* impl = impl_of(ssl);
  *sess = nullptr;
  const std::string& want = impl->config.psk_identity;
  if (identity_len != want.size() || std::memcmp(identity, want.data(), identity_len) != 0) {
    spdlog::warn("TLS: client offered unknown PSK identity '{}'",
                 std::string(reinterpret_cast<const char*>(identity), identity_len));
    return 1;  // unknown identity: no PSK, the handshake fails (no certificate to fall back on)
  }
  *sess = impl->make_psk_session(ssl);
  return *sess != nullptr ? 1 : 0;
}

void check(int ok, const char* what, const std::string& origin) {
  if (ok != 1) throw InputError(origin, std::string(what) + ": " + openssl_errors());
}

}  // namespace

std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "no OpenSSL error recorded" : out;
}

TlsContext::TlsContext(const TlsConfig& config, TlsRole role) : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  impl_->role = role;
  if (config.security == Security::kInsecurePlainTcp) return;
  // OpenSSL writes to sockets with write(), not send(MSG_NOSIGNAL): a peer that hung up would kill
  // the process with SIGPIPE. Like most network daemons, ignore it (errors come back as EPIPE).
  static std::once_flag sigpipe_once;
  std::call_once(sigpipe_once, [] { std::signal(SIGPIPE, SIG_IGN); });
  ERR_clear_error();
  impl_->ctx = SSL_CTX_new(role == TlsRole::kClient ? TLS_client_method() : TLS_server_method());
  if (impl_->ctx == nullptr) throw WireError("SSL_CTX_new: " + openssl_errors());
  SSL_CTX* ctx = impl_->ctx;
  SSL_CTX_set_app_data(ctx, impl_.get());
  check(static_cast<int>(SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION)), "TLS 1.3 minimum", "");
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  if (role == TlsRole::kServer) check(SSL_CTX_set_num_tickets(ctx, 0), "no session tickets", "");
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (config.security == Security::kTlsPsk) {
    if (config.psk_identity.empty() || config.psk_key.size() < 16) {
      throw InputError("", "TLS PSK: identity and a key of at least 16 bytes are required");
    }
    check(SSL_CTX_set_ciphersuites(ctx, kPskCipherSuites), "TLS 1.3 cipher suites", "");
    if (role == TlsRole::kClient) {
      SSL_CTX_set_psk_use_session_callback(ctx, psk_use_session);
    } else {
      SSL_CTX_set_psk_find_session_callback(ctx, psk_find_session);
    }
    return;
  }
  check(SSL_CTX_use_certificate_chain_file(ctx, config.cert_file.c_str()), "certificate",
        config.cert_file.string());
  check(SSL_CTX_use_PrivateKey_file(ctx, config.key_file.c_str(), SSL_FILETYPE_PEM), "private key",
        config.key_file.string());
  check(SSL_CTX_check_private_key(ctx), "key does not match the certificate", config.key_file.string());
  check(SSL_CTX_load_verify_locations(ctx, config.ca_file.c_str(), nullptr), "CA file",
        config.ca_file.string());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
}

TlsContext::~TlsContext() = default;

bool TlsContext::insecure() const { return impl_->config.security == Security::kInsecurePlainTcp; }
const TlsConfig& TlsContext::config() const { return impl_->config; }

std::unique_ptr<Stream> TlsContext::establish(Fd fd, std::string peer, Deadline deadline) const {
  if (insecure()) return make_tcp_stream(std::move(fd), std::move(peer));
  ERR_clear_error();
  SSL* ssl = SSL_new(impl_->ctx);
  if (ssl == nullptr) throw WireError(fmt::format("{}: SSL_new: {}", peer, openssl_errors()));
  auto stream = std::make_unique<TlsStream>(ssl, std::move(fd), std::move(peer));
  if (impl_->role == TlsRole::kClient && impl_->config.security == Security::kTlsCertificates &&
      !impl_->config.expected_server_name.empty()) {
    if (SSL_set1_host(ssl, impl_->config.expected_server_name.c_str()) != 1) {
      throw WireError(fmt::format("{}: SSL_set1_host: {}", stream->peer(), openssl_errors()));
    }
  }
  stream->handshake(impl_->role == TlsRole::kClient, deadline);
  return stream;
}

}  // namespace jettison::emu
