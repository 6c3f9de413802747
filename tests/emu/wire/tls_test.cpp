// TLS 1.3 on loopback without the memory server: PSK and certificate handshakes, refusals, and
// the PSK key file. Certificates are made with the openssl tool (skipped where it is missing).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <future>

#include "common/input_error.hpp"
#include "emu/wire/channel.hpp"
#include "emu/wire/messages.hpp"
#include "emu/wire/tls_context.hpp"
#include "emu/wire/tls_stream.hpp"

namespace jettison::emu {
namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "jettison-tls-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// One connection: the server answers a KEEPALIVE with KEEPALIVE_ACK. Returns the server's
// failure text ("" if it served). `subject`, if given, gets the client certificate's subject.
std::future<std::string> serve_once(TcpListener& listener, const TlsConfig& config,
                                    std::string* subject = nullptr) {
  return std::async(std::launch::async, [&listener, config, subject] {
    try {
      TlsContext ctx(config, TlsRole::kServer);
      auto a = listener.accept(deadline_after(Duration::seconds(5)));
      if (!a) return std::string("no connection");
      auto stream = ctx.establish(std::move(a->fd), a->peer, deadline_after(Duration::seconds(5)));
      if (const auto* t = dynamic_cast<const TlsStream*>(stream.get()); t && subject)
        *subject = t->peer_subject();
      StreamChannel ch(std::move(stream), Duration::seconds(5));
      auto f = ch.recv_frame(Duration::seconds(5));
      if (!f) return std::string("no frame");
      ch.send_frame(encode(KeepaliveAck{std::get<Keepalive>(decode(*f, {})).nonce}));
      ch.close();
      return std::string();
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
  });
}

// Connects, sends a KEEPALIVE, returns the echoed nonce (throws on failure).
std::uint64_t ping(std::uint16_t port, const TlsConfig& config) {
  TlsContext ctx(config, TlsRole::kClient);
  const Endpoint e{"127.0.0.1", port};
  const auto deadline = deadline_after(Duration::seconds(5));
  StreamChannel ch(ctx.establish(tcp_connect(e, deadline), e.to_string(), deadline), Duration::seconds(5));
  ch.send_frame(encode(Keepalive{99}));
  auto f = ch.recv_frame(Duration::seconds(5));
  if (!f) throw PeerGone("no answer");
  return std::get<KeepaliveAck>(decode(*f, {})).nonce;
}

TlsConfig psk(unsigned char v) { return TlsConfig::psk("desktop-1", std::vector<unsigned char>(32, v)); }

TEST(Tls, PskHandshakeAndFrames) {
  TcpListener listener("127.0.0.1", 0);
  auto server = serve_once(listener, psk(1));
  EXPECT_EQ(ping(listener.port(), psk(1)), 99u);
  EXPECT_EQ(server.get(), "");
}

TEST(Tls, WrongPskIsRefusedOnBothSides) {
  TcpListener listener("127.0.0.1", 0);
  auto server = serve_once(listener, psk(1));
  EXPECT_THROW(ping(listener.port(), psk(2)), AuthError);
  EXPECT_NE(server.get().find("binder does not verify"), std::string::npos);
}

TEST(Tls, WrongIdentityIsRefused) {
  TcpListener listener("127.0.0.1", 0);
  auto server = serve_once(listener, psk(1));
  EXPECT_THROW(ping(listener.port(), TlsConfig::psk("someone-else", std::vector<unsigned char>(32, 1))),
               AuthError);
  EXPECT_NE(server.get(), "");
}

TEST(Tls, PlainClientAgainstTlsServerAndBack) {
  TcpListener listener("127.0.0.1", 0);
  auto server = serve_once(listener, psk(1));
  EXPECT_THROW(ping(listener.port(), TlsConfig::insecure_plain_tcp()), WireError);
  EXPECT_NE(server.get().find("wrong version number"), std::string::npos);

  auto plain_server = serve_once(listener, TlsConfig::insecure_plain_tcp());
  EXPECT_THROW(ping(listener.port(), psk(1)), WireError);
  EXPECT_NE(plain_server.get(), "");
}

TEST(Tls, PskKeyFile) {
  TempDir dir;
  const auto good = dir.path / "good.key";
  std::ofstream(good) << "00112233445566778899aabbccddeeff\n00112233445566778899AABBCCDDEEFF\n";
  EXPECT_EQ(read_psk_file(good).size(), 32u);
  const auto bad = dir.path / "bad.key";
  std::ofstream(bad) << "0011zz";
  EXPECT_THROW(read_psk_file(bad), InputError);
  const auto short_key = dir.path / "short.key";
  std::ofstream(short_key) << "0011";
  EXPECT_THROW(read_psk_file(short_key), InputError);
  EXPECT_THROW(read_psk_file(dir.path / "missing.key"), InputError);
}

// A CA and a certificate signed by it for `name`, made with the openssl tool.
bool make_pki(const std::filesystem::path& dir, const std::string& ca,
              const std::vector<std::string>& names) {
  const std::string d = dir.string();
  std::string cmd =
      "cd '" + d + "' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " +
      ca + ".key -out " + ca + ".pem -subj /CN=" + ca + " -days 2";
  for (const auto& n : names) {
    cmd += " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + n +
           ".key -out " + n + ".csr -subj /CN=" + n + " && printf 'subjectAltName=DNS:" + n + "' > " + n +
           ".ext && openssl x509 -req -in " + n + ".csr -CA " + ca + ".pem -CAkey " + ca +
           ".key -CAcreateserial -out " + n + ".pem -days 2 -extfile " + n + ".ext";
  }
  return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0;
}

TEST(Tls, CertificatesMutuallyVerified) {
  if (std::system("openssl version >/dev/null 2>&1") != 0) GTEST_SKIP() << "openssl tool missing";
  TempDir dir;
  ASSERT_TRUE(make_pki(dir.path, "ca", {"desktop", "server"}));
  ASSERT_TRUE(make_pki(dir.path, "rogueca", {"rogue"}));
  auto cfg = [&](const std::string& ca, const std::string& who) {
    return TlsConfig::certificates(dir.path / (ca + ".pem"), dir.path / (who + ".pem"),
                                   dir.path / (who + ".key"));
  };
  TcpListener listener("127.0.0.1", 0);
  {
    std::string subject;
    auto server = serve_once(listener, cfg("ca", "desktop"), &subject);
    TlsConfig client = cfg("ca", "server");
    client.expected_server_name = "desktop";
    EXPECT_EQ(ping(listener.port(), client), 99u);
    EXPECT_EQ(server.get(), "");
    EXPECT_EQ(subject, "CN=server");  // the identity the desktop's status shows as cert:CN=server
  }
  {  // A client certificate from another CA: the server refuses it.
    auto server = serve_once(listener, cfg("ca", "desktop"));
    EXPECT_THROW(ping(listener.port(), cfg("ca", "rogue")), WireError);
    EXPECT_NE(server.get().find("certificate"), std::string::npos);
  }
  {  // The server's certificate does not carry the expected name: the client refuses it.
    auto server = serve_once(listener, cfg("ca", "desktop"));
    TlsConfig client = cfg("ca", "server");
    client.expected_server_name = "other-desktop";
    EXPECT_THROW(ping(listener.port(), client), AuthError);
    server.get();
  }
  EXPECT_THROW(TlsContext(cfg("ca", "missing"), TlsRole::kServer), InputError);
}

}  // namespace
}  // namespace jettison::emu
