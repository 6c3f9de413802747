// The memory server on loopback: pages equal the image, zero pages as runs, handshake
// negotiation, TLS refusals, malformed input isolated to one connection, write-back, stop/start.
#include "emu/memserver/memory_server.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <cstring>
#include <future>
#include <map>

#include "emu/wire/byte_codec.hpp"
#include "emu/wire/page_client.hpp"
#include "emu/wire/tls_context.hpp"
#include "tests/emu/memserver/client_options.hpp"
#include "tests/emu/memserver/test_image.hpp"

namespace jettison::emu {
namespace {

using test::kPage;
constexpr std::uint64_t kPages = 300;

std::vector<unsigned char> key_of(unsigned char v) { return std::vector<unsigned char>(32, v); }

TlsConfig psk(unsigned char v = 0x42) { return TlsConfig::psk("desktop-1", key_of(v)); }

struct Fixture {
  test::TempDir dir;
  std::filesystem::path image_path = test::write_image(dir.path(), kPages);
  std::unique_ptr<MemoryServer> server;

  explicit Fixture(TlsConfig tls = psk(), std::uint64_t caps = kCapAll,
                   std::function<void(std::uint32_t)> on_sleep = {}) {
    MemoryServerConfig c;
    c.image_path = image_path;
    c.tls = std::move(tls);
    c.capabilities = caps;
    c.on_sleep = std::move(on_sleep);
    c.handshake_timeout = Duration::seconds(2);
    server = std::make_unique<MemoryServer>(std::move(c));
    server->start();
  }
  Endpoint endpoint() const { return Endpoint{"127.0.0.1", server->port()}; }
};

ClientOptions quick() { return test::client_options(Duration::seconds(2), Duration::seconds(5)); }

// Fetches pages and checks each against the image file's bytes; returns zero pages seen.
std::uint64_t fetch_and_check(PageClient& client, const std::vector<std::uint64_t>& pages) {
  std::uint64_t zeros = 0, seen = 0;
  client.get_pages(pages, [&](std::uint64_t p, const std::byte* data) {
    ++seen;
    const auto want = test::page_content(p);
    if (data == nullptr) {
      ++zeros;
      EXPECT_TRUE(test::zero_page(p)) << "page " << p << " came as zero";
    } else {
      EXPECT_EQ(std::memcmp(data, want.data(), kPage), 0) << "page " << p;
    }
  });
  EXPECT_EQ(seen, pages.size());
  return zeros;
}

std::vector<std::uint64_t> all_pages() {
  std::vector<std::uint64_t> v(kPages);
  for (std::uint64_t p = 0; p < kPages; ++p) v[p] = p;
  return v;
}

TEST(MemoryServer, TlsPskServesTheImageBytes) {
  Fixture f;
  ClientOptions o = quick();
  o.max_pages_per_request = 16;  // 300 pages -> 19 pipelined requests
  PageClient client(f.endpoint(), psk(), o);
  EXPECT_EQ(client.session().image_pages, kPages);
  EXPECT_EQ(client.session().capabilities, kCapAll & ~kCapVm);  // no VM hooks: no VM capability
  // Out of order, with duplicates, as a fetcher would ask (faulting page first).
  std::vector<std::uint64_t> pages = {250, 3, 4, 5, 250, 17};
  for (auto p : all_pages()) pages.push_back(p);
  std::vector<std::uint64_t> unique = all_pages();
  std::uint64_t zeros = 0;
  std::map<std::uint64_t, int> count;
  client.get_pages(pages, [&](std::uint64_t p, const std::byte* data) {
    ++count[p];
    if (data == nullptr) {
      ++zeros;
    } else {
      EXPECT_EQ(std::memcmp(data, test::page_content(p).data(), kPage), 0) << p;
    }
  });
  EXPECT_EQ(count.size(), kPages);
  for (auto& [p, n] : count) EXPECT_EQ(n, 1) << p;
  EXPECT_EQ(zeros, 100u);  // pages 0, 3, ..., 297
  EXPECT_GE(client.keepalive().us(), 0);
  client.close();
  EXPECT_EQ(f.server->stats().pages_served, kPages);
}

// The first page of a call (the faulting one) goes alone; the rest follow in one request: two
// GET_PAGES frames for 4 contiguous pages, one when the option is off.
TEST(MemoryServer, FirstPageTravelsInARequestOfItsOwn) {
  Fixture f;
  for (const bool alone : {true, false}) {
    SCOPED_TRACE(alone);
    ClientOptions o = quick();
    o.first_page_alone = alone;
    PageClient client(f.endpoint(), psk(), o);
    const std::uint64_t before = client.stats().frames_sent;
    fetch_and_check(client, {1, 2, 3, 4});
    EXPECT_EQ(client.stats().frames_sent - before, alone ? 2U : 1U);
  }
}

TEST(MemoryServer, ZeroPagesTravelAsRunsNotBytes) {
  Fixture f(TlsConfig::insecure_plain_tcp());
  ClientOptions o = quick();
  o.max_pages_per_request = 256;
  PageClient client(f.endpoint(), TlsConfig::insecure_plain_tcp(), o);
  const auto before = client.stats().bytes_received;
  // Pages 0..5: 0 and 3 zero, 1-2 and 4-5 data -> runs [0 zero][1-2 data][3 zero][4-5 data].
  const std::uint64_t zeros = fetch_and_check(client, {0, 1, 2, 3, 4, 5});
  EXPECT_EQ(zeros, 2u);
  // Two PAGES frames (the first page travels alone): [0 zero] = 8 header + 8 PAGES fields + 1 run
  // * 16; [1-2 data][3 zero][4-5 data] = 8 + 8 + 3 runs * 16 + 4 data pages * 4096; 16480 bytes in
  // all. With zeros as data it would be (8 + 8 + 16 + 4096) + (8 + 8 + 16 + 5 * 4096) = 24624.
  EXPECT_EQ(client.stats().bytes_received - before, (8u + 8u + 16u) + (8u + 8u + 3u * 16u + 4u * kPage));
  EXPECT_EQ(f.server->stats().zero_pages_served, 2u);
}

TEST(MemoryServer, WithoutZeroRunCapabilityZerosComeAsData) {
  Fixture f(TlsConfig::insecure_plain_tcp());
  ClientOptions o = quick();
  o.capabilities = kCapWriteBack;
  PageClient client(f.endpoint(), TlsConfig::insecure_plain_tcp(), o);
  EXPECT_EQ(client.session().capabilities, kCapWriteBack);  // intersection
  EXPECT_EQ(fetch_and_check(client, {0, 3, 6}), 0u);
}

TEST(MemoryServer, CapabilityAndVersionNegotiation) {
  Fixture f(TlsConfig::insecure_plain_tcp(), kCapZeroRuns | kCapSleep);
  PageClient client(f.endpoint(), TlsConfig::insecure_plain_tcp(), quick());
  EXPECT_EQ(client.session().capabilities, kCapZeroRuns | kCapSleep);
  EXPECT_EQ(client.session().version, 2);
  const auto data = test::page_content(1);
  EXPECT_THROW(client.put_pages(std::vector<DirtyPage>{{1, data}}), ProtocolError);  // not negotiated

  // A client speaking only versions 3..4 is refused with BAD_VERSION.
  auto tls = TlsContext(TlsConfig::insecure_plain_tcp(), TlsRole::kClient);
  auto stream = tls.establish(tcp_connect(f.endpoint(), deadline_after(Duration::seconds(2))), "server",
                              deadline_after(Duration::seconds(2)));
  StreamChannel ch(std::move(stream), Duration::seconds(2));
  ch.send_frame(encode(Hello{kMagic, 3, 4, kPage, kCapAll}));
  auto reply = ch.recv_frame(Duration::seconds(2));
  ASSERT_TRUE(reply);
  const auto err = std::get<ErrorMsg>(decode(*reply, {}));
  EXPECT_EQ(err.code, ErrorCode::kBadVersion);
}

TEST(MemoryServer, PageSizeMismatchIsRefused) {
  Fixture f(TlsConfig::insecure_plain_tcp());
  ClientOptions o = quick();
  o.page_size = 8192;
  try {
    PageClient client(f.endpoint(), TlsConfig::insecure_plain_tcp(), o);
    FAIL() << "handshake with the wrong page size succeeded";
  } catch (const RemoteError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kPageSizeMismatch);
  }
}

TEST(MemoryServer, WrongPskIsRefusedAndTheNextClientServed) {
  Fixture f;
  try {
    PageClient bad(f.endpoint(), psk(0x13), quick());
    FAIL() << "a client with the wrong key got in";
  } catch (const AuthError& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1"), std::string::npos) << e.what();
  }
  PageClient good(f.endpoint(), psk(), quick());
  fetch_and_check(good, {1, 2, 3});
  EXPECT_GE(f.server->stats().refused, 1u);
}

TEST(MemoryServer, PlainTcpClientAgainstTlsServerIsRefused) {
  Fixture f;
  EXPECT_THROW(PageClient(f.endpoint(), TlsConfig::insecure_plain_tcp(), quick()), WireError);
  PageClient good(f.endpoint(), psk(), quick());
  fetch_and_check(good, {7});
  // The refusal is counted once the server thread got to it.
  for (int i = 0; i < 100 && f.server->stats().refused == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(f.server->stats().refused, 1u);
}

// Raw bytes to the server (insecure mode), then what comes back.
class RawPeer {
 public:
  explicit RawPeer(const Endpoint& e)
      : channel_(make_tcp_stream(tcp_connect(e, deadline_after(Duration::seconds(2))), "server"),
                 Duration::seconds(2)) {}
  void hello() {
    channel_.send_frame(encode(Hello{}));
    ASSERT_TRUE(channel_.recv_frame(Duration::seconds(2)));
  }
  void send_raw(std::vector<std::byte> bytes) {
    Frame f;
    f.wire = std::move(bytes);
    channel_.send_frame(f);
  }
  // The ERROR the server sends before closing.
  ErrorCode error() {
    auto f = channel_.recv_frame(Duration::seconds(2));
    if (!f) return ErrorCode{};
    return std::get<ErrorMsg>(decode(*f, {})).code;
  }
  bool closed() {
    try {
      for (int i = 0; i < 5; ++i) channel_.recv_frame(Duration::millis(200));
    } catch (const PeerGone&) {
      return true;
    }
    return false;
  }

 private:
  StreamChannel channel_;
};

std::vector<std::byte> header(std::uint32_t len, std::uint16_t type) {
  std::vector<std::byte> out;
  ByteWriter w(out);
  w.u32(len);
  w.u16(type);
  w.u16(0);
  return out;
}

TEST(MemoryServer, MalformedFrameClosesOnlyThatConnection) {
  Fixture f(TlsConfig::insecure_plain_tcp());
  PageClient good(f.endpoint(), TlsConfig::insecure_plain_tcp(), quick());
  fetch_and_check(good, {1});

  RawPeer oversized(f.endpoint());
  oversized.hello();
  oversized.send_raw(header(0xFFFFFFFF, 3));
  EXPECT_EQ(oversized.error(), ErrorCode::kTooLarge);
  EXPECT_TRUE(oversized.closed());

  RawPeer unknown(f.endpoint());
  unknown.hello();
  unknown.send_raw(header(0, 99));
  EXPECT_EQ(unknown.error(), ErrorCode::kUnknownType);

  RawPeer out_of_range(f.endpoint());
  out_of_range.hello();
  Frame g = encode(GetPages{1, {{kPages, 1}}});
  out_of_range.send_raw(g.wire);
  EXPECT_EQ(out_of_range.error(), ErrorCode::kOutOfRange);

  RawPeer no_hello(f.endpoint());
  no_hello.send_raw(encode(GetPages{1, {{0, 1}}}).wire);
  EXPECT_EQ(no_hello.error(), ErrorCode::kUnexpected);

  RawPeer truncated(f.endpoint());  // a header promising 100 bytes, then silence and hang-up
  truncated.hello();
  truncated.send_raw(header(100, 9));

  fetch_and_check(good, {2, 3, 4, 299});  // the good client never noticed
  EXPECT_EQ(f.server->stats().protocol_errors, 4u);
}

TEST(MemoryServer, WriteBackUpdatesTheImage) {
  Fixture f;
  PageClient client(f.endpoint(), psk(), quick());
  std::vector<std::vector<std::byte>> data;
  std::vector<DirtyPage> dirty;
  for (std::uint64_t p = 10; p < 20; ++p) data.push_back(test::page_content(p, 5));
  data.emplace_back(kPage, std::byte{0});  // page 1 becomes zero
  for (std::uint64_t i = 0; i < 10; ++i) dirty.push_back({10 + i, data[i]});
  dirty.push_back({1, data[10]});
  client.put_pages(std::span(dirty).first(5));
  client.put_pages(std::span(dirty).subspan(5));
  const WriteBackResult r = client.commit();
  EXPECT_EQ(r.pages, 11u);
  EXPECT_EQ(r.generation, 1u);
  EXPECT_GT(r.bytes_sent.count(), 10u * kPage);
  EXPECT_EQ(client.session().generation, 1u);
  const auto image = test::read_file(f.image_path);
  for (const auto& d : dirty)
    EXPECT_EQ(std::memcmp(image.data() + d.page * kPage, d.data.data(), kPage), 0) << d.page;
  // A fetch sees the new content; a new client sees the new generation.
  client.get_pages(std::vector<std::uint64_t>{12, 1}, [&](std::uint64_t p, const std::byte* bytes) {
    if (p == 1) {
      EXPECT_EQ(bytes, nullptr);
    } else {
      EXPECT_EQ(std::memcmp(bytes, data[2].data(), kPage), 0);
    }
  });
  PageClient other(f.endpoint(), psk(), quick());
  EXPECT_EQ(other.session().generation, 1u);
}

TEST(MemoryServer, StopClosesConnectionsAndStartServesAgain) {
  Fixture f;
  const std::uint16_t port = f.server->port();
  PageClient before(f.endpoint(), psk(), quick());
  fetch_and_check(before, {1});
  f.server->stop();
  EXPECT_FALSE(f.server->running());
  EXPECT_THROW(fetch_and_check(before, {2}), PeerGone);
  EXPECT_THROW(PageClient(f.endpoint(), psk(), quick()), PeerGone);
  f.server->start();
  EXPECT_EQ(f.server->port(), port);
  PageClient after(f.endpoint(), psk(), quick());
  fetch_and_check(after, {2, 5, 8});
}

// stop() does not wait for peers that stalled: one connected without starting the TLS handshake,
// one sent half a frame header. Their timeouts are a minute and more; stop() shuts their sockets down.
TEST(MemoryServer, StopDoesNotWaitForStalledPeers) {
  test::TempDir dir;
  const auto image = test::write_image(dir.path(), kPages);
  auto make = [&](TlsConfig tls) {
    MemoryServerConfig c;
    c.image_path = image;
    c.tls = std::move(tls);
    c.handshake_timeout = Duration::seconds(60);
    c.idle_timeout = Duration::seconds(300);
    auto server = std::make_unique<MemoryServer>(std::move(c));
    server->start();
    return server;
  };
  auto tls_server = make(psk());
  const Fd silent =
      tcp_connect(Endpoint{"127.0.0.1", tls_server->port()}, deadline_after(Duration::seconds(2)));
  auto plain_server = make(TlsConfig::insecure_plain_tcp());
  RawPeer half(Endpoint{"127.0.0.1", plain_server->port()});
  half.hello();
  half.send_raw({std::byte{0}, std::byte{0}});                  // 2 of the 8 header bytes, then nothing
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // both sessions are blocked by now
  for (MemoryServer* server : {tls_server.get(), plain_server.get()}) {
    auto stopped = std::async(std::launch::async, [server] { server->stop(); });
    ASSERT_EQ(stopped.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_FALSE(server->running());
  }
}

TEST(MemoryServer, SleepCommandReachesThePowerAgent) {
  std::atomic<std::uint32_t> asked{0};
  std::atomic<bool> called{false};
  Fixture* fp = nullptr;
  Fixture f(psk(), kCapAll, [&](std::uint32_t after_ms) {
    asked = after_ms;
    fp->server->stop();  // the emulated power agent "sleeps" by stopping the server
    called = true;
  });
  fp = &f;
  PageClient client(f.endpoint(), psk(), quick());
  client.sleep(250);
  for (int i = 0; i < 200 && !called; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(called);
  EXPECT_EQ(asked, 250u);
  EXPECT_FALSE(f.server->running());
  f.server->start();
  PageClient again(f.endpoint(), psk(), quick());
  fetch_and_check(again, {4});
}

}  // namespace
}  // namespace jettison::emu
