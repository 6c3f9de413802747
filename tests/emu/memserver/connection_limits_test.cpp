// The memory server's connection limits on loopback: the admission counts (open, in handshake, per
// peer), a connection over the per-peer limit closed at once while another address still gets in
// and fetches the image's bytes, handshake threads bounded, and the handshake deadline from accept
// to HELLO: a first frame announcing a page-sized payload is refused before anything is allocated,
// and a HELLO that starts but never finishes is closed at the deadline, not the send timeout.
#include "emu/memserver/connection_limits.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "emu/memserver/handshake_channel.hpp"
#include "emu/memserver/memory_server.hpp"
#include "emu/wire/byte_codec.hpp"
#include "emu/wire/errors.hpp"
#include "emu/wire/messages.hpp"
#include "tests/emu/memserver/flood_client.hpp"
#include "tests/emu/memserver/test_image.hpp"

namespace jettison::emu {
namespace {

using std::chrono::milliseconds;
using test::kPage;
constexpr std::uint64_t kPages = 64;

TlsConfig psk() { return TlsConfig::psk("desktop-1", std::vector<unsigned char>(32, 0x42)); }

TEST(ConnectionLimits, CountsOpenHandshakesAndPeers) {
  ConnectionLimits limits({/*max_connections=*/3, /*max_handshakes=*/2, /*max_per_peer=*/1});
  auto a = limits.admit("10.0.0.1");
  ASSERT_TRUE(std::holds_alternative<ConnectionLimits::Slot>(a));
  // One handshake from 10.0.0.1 already: a second from it is over the per-peer limit.
  EXPECT_EQ(std::get<OverLimit>(limits.admit("10.0.0.1")), OverLimit::kPeer);
  auto b = limits.admit("10.0.0.2");
  ASSERT_TRUE(std::holds_alternative<ConnectionLimits::Slot>(b));
  // Two handshakes in progress: a third peer is over the handshake limit.
  EXPECT_EQ(std::get<OverLimit>(limits.admit("10.0.0.3")), OverLimit::kHandshakes);
  // 10.0.0.1 is in: its handshake places are free, its connection place is not.
  std::get<ConnectionLimits::Slot>(a).handshake_done();
  EXPECT_EQ(limits.handshakes_from("10.0.0.1"), 0u);
  auto c = limits.admit("10.0.0.1");
  ASSERT_TRUE(std::holds_alternative<ConnectionLimits::Slot>(c));
  // Three open (a in, b and c in handshake): the connection limit.
  EXPECT_EQ(std::get<OverLimit>(limits.admit("10.0.0.4")), OverLimit::kConnections);
  EXPECT_EQ(limits.counts().connections, 3u);
  EXPECT_EQ(limits.counts().handshakes, 2u);
  std::get<ConnectionLimits::Slot>(b).release();
  EXPECT_EQ(limits.counts().connections, 2u);
  EXPECT_EQ(limits.counts().handshakes, 1u);
  EXPECT_THROW(ConnectionLimits({0, 1, 1}), std::invalid_argument);
}

struct Server {
  test::TempDir dir;
  std::filesystem::path image = test::write_image(dir.path(), kPages);
  std::unique_ptr<MemoryServer> server;

  Server(ConnectionLimitsConfig limits, Duration handshake_timeout, TlsConfig tls = psk()) {
    MemoryServerConfig c;
    c.image_path = image;
    c.tls = std::move(tls);
    c.limits = limits;
    c.handshake_timeout = handshake_timeout;
    c.send_timeout = Duration::seconds(120);  // far beyond the handshake deadline: it must not apply
    server = std::make_unique<MemoryServer>(std::move(c));
    server->start();
  }
  std::uint16_t port() const { return server->port(); }
};

void expect_image_bytes(PageClient& client) {
  std::vector<std::uint64_t> pages(kPages);
  for (std::uint64_t p = 0; p < kPages; ++p) pages[p] = p;
  std::uint64_t seen = 0;
  client.get_pages(pages, [&](std::uint64_t p, const std::byte* data) {
    ++seen;
    const auto want = test::page_content(p);
    if (data == nullptr) {
      EXPECT_TRUE(test::zero_page(p)) << "page " << p;
    } else {
      EXPECT_EQ(std::memcmp(data, want.data(), kPage), 0) << "page " << p;
    }
  });
  EXPECT_EQ(seen, kPages);
}

TEST(MemoryServerLimits, PeerAtItsLimitIsClosedAtOnceWhileAnotherAddressGetsIn) {
  Server s({16, 8, 2}, Duration::seconds(60));
  // Two idle connections from 127.0.0.1 fill its handshake places (no TLS bytes ever sent).
  std::vector<Fd> idle;
  for (int i = 0; i < 2; ++i) idle.push_back(test::connect_from("127.0.0.1", s.port()));
  ASSERT_TRUE(test::eventually([&] { return s.server->connection_counts().handshakes == 2; }));
  // A third from 127.0.0.1 is closed at once (not after the 60 s handshake timeout).
  Fd third = test::connect_from("127.0.0.1", s.port());
  EXPECT_TRUE(test::closed_by_server(third.get(), milliseconds(10'000)));
  EXPECT_GE(s.server->stats().over_limit, 1u);
  // 127.0.0.2 is another peer: it gets in and fetches the image's bytes.
  auto client = test::client_from("127.0.0.2", s.port(), psk());
  expect_image_bytes(*client);
  // The idle ones are still waiting: their handshakes are not over.
  for (auto& fd : idle) EXPECT_FALSE(test::closed_by_server(fd.get(), milliseconds(50)));
}

TEST(MemoryServerLimits, HandshakeThreadsStayWithinTheLimit) {
  Server s({16, 8, 4}, Duration::seconds(60));
  auto client = test::client_from("127.0.0.2", s.port(), psk());  // in before the flood
  const std::size_t before = test::process_usage(::getpid()).threads;
  std::vector<Fd> flood;
  for (int i = 0; i < 60; ++i) flood.push_back(test::connect_from("127.0.0.1", s.port()));
  // 4 admitted from 127.0.0.1, 56 closed at once.
  ASSERT_TRUE(test::eventually([&] { return s.server->stats().over_limit == 56; }))
      << s.server->stats().over_limit;
  EXPECT_EQ(s.server->connection_counts().handshakes, 4u);
  EXPECT_LE(test::process_usage(::getpid()).threads, before + 4);
  expect_image_bytes(*client);
}

// An established TLS stream to the server (the peer is authenticated, but has sent no HELLO).
std::unique_ptr<Stream> tls_stream(std::uint16_t port) {
  const TlsContext context(psk(), TlsRole::kClient);
  return context.establish(test::connect_from("127.0.0.1", port), "server",
                           deadline_after(Duration::seconds(10)));
}

std::vector<std::byte> frame_header(std::uint32_t payload_length, FrameType type) {
  std::vector<std::byte> h;
  ByteWriter w(h);
  w.u32(payload_length);
  w.u16(static_cast<std::uint16_t>(type));
  w.u16(0);
  return h;
}

TEST(MemoryServerLimits, FirstFrameAnnouncingAPageSizedPayloadIsRefusedAtOnce) {
  Server s({16, 8, 4}, Duration::seconds(30));
  auto stream = tls_stream(s.port());
  const auto header = frame_header(static_cast<std::uint32_t>(kMaxPayload), FrameType::kHello);
  stream->write_all(header.data(), header.size(), deadline_after(Duration::seconds(5)));
  // The server answers TOO_LARGE without waiting for (or allocating) the 1 MiB payload.
  StreamChannel channel(std::move(stream), Duration::seconds(5));
  auto frame = channel.recv_frame(Duration::seconds(10));
  ASSERT_TRUE(frame.has_value()) << "no answer: the server is waiting for the payload";
  const Message m = decode(*frame, DecodeLimits{});
  ASSERT_TRUE(std::holds_alternative<ErrorMsg>(m));
  EXPECT_EQ(std::get<ErrorMsg>(m).code, ErrorCode::kTooLarge);
  EXPECT_THROW((void)channel.recv_frame(Duration::seconds(10)), PeerGone);  // then closed
}

TEST(MemoryServerLimits, UnfinishedHelloIsClosedAtTheHandshakeDeadline) {
  Server s({16, 8, 4}, Duration::seconds(1));
  auto stream = tls_stream(s.port());
  // HELLO's header and 5 of its 20 payload bytes, then nothing: the send timeout (120 s) would
  // wait for the rest; the handshake deadline (1 s from accept) closes it.
  auto bytes = frame_header(20, FrameType::kHello);
  bytes.resize(bytes.size() + 5, std::byte{0x4A});
  stream->write_all(bytes.data(), bytes.size(), deadline_after(Duration::seconds(5)));
  std::byte buf[64];
  bool closed = false;
  const Deadline bound = deadline_after(Duration::seconds(15));
  try {
    while (stream->read_some(buf, sizeof buf, bound) > 0) {
    }
  } catch (const PeerGone&) {
    closed = true;
  }
  EXPECT_TRUE(closed) << "still open 15 s after a 1 s handshake deadline";
  EXPECT_TRUE(test::eventually([&] { return s.server->stats().handshake_timeouts == 1; }));
  // The connection's thread gives its place back after the close the client saw: a moment later.
  EXPECT_TRUE(test::eventually([&] { return s.server->connection_counts().connections == 0; }))
      << s.server->connection_counts().connections;
}

TEST(MemoryServerLimits, IdleConnectionIsClosedAtTheHandshakeDeadline) {
  Server s({16, 8, 4}, Duration::seconds(1));
  Fd idle = test::connect_from("127.0.0.1", s.port());
  EXPECT_TRUE(test::closed_by_server(idle.get(), milliseconds(15'000)));
  EXPECT_TRUE(test::eventually([&] { return s.server->stats().handshake_timeouts == 1; }));
}

}  // namespace
}  // namespace jettison::emu
