// The memory server with VM hooks (protocol version 2) over loopback TLS-PSK: status, the device
// state in chunks both ways, wrong epochs, failing hooks, pages refused while the VM runs locally,
// and older or hook-less peers served as before.
#include <gtest/gtest.h>

#include <cstring>
#include <mutex>

#include "emu/memserver/memory_server.hpp"
#include "emu/wire/byte_codec.hpp"
#include "emu/wire/page_client.hpp"
#include "emu/wire/tls_context.hpp"
#include "tests/emu/memserver/client_options.hpp"
#include "tests/emu/memserver/test_image.hpp"

namespace jettison::emu {
namespace {

using test::kPage;
constexpr std::uint64_t kPages = 64;

TlsConfig psk() { return TlsConfig::psk("desktop-1", std::vector<unsigned char>(32, 0x42)); }

ClientOptions quick() { return test::client_options(Duration::seconds(2), Duration::seconds(5)); }

std::vector<std::byte> pattern(std::size_t n, std::uint8_t salt) {
  std::vector<std::byte> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>((i * 7 + i / 1000 + salt) & 0xFF);
  return out;
}

// A desktop VM that lives in memory: the test sets what the hooks answer and sees what they got.
struct FakeVm {
  std::mutex mutex;
  VmStatus status{VmState::kRemote, false, 7, 3'000'000, 1u << 30};
  std::shared_ptr<const std::vector<std::byte>> state =
      std::make_shared<const std::vector<std::byte>>(pattern(3'000'000, 1));
  std::string fail_status, fail_device_state, fail_accept;  // non-empty: that hook throws this text
  bool may_serve = true;
  std::uint64_t accepted_epoch = 0;
  std::vector<std::byte> accepted;
  int accept_calls = 0;

  VmHooks hooks() {
    VmHooks h;
    h.status = [this] {
      std::lock_guard lock(mutex);
      if (!fail_status.empty()) throw VmHookError(fail_status);
      return status;
    };
    h.device_state = [this](std::uint64_t epoch) {
      std::lock_guard lock(mutex);
      if (!fail_device_state.empty()) throw VmHookError(fail_device_state);
      if (epoch != status.epoch) throw VmHookError("no state for epoch " + std::to_string(epoch));
      return state;
    };
    h.accept_state = [this](std::uint64_t epoch, std::vector<std::byte> bytes) {
      std::lock_guard lock(mutex);
      ++accept_calls;
      if (!fail_accept.empty()) throw VmHookError(fail_accept);
      accepted_epoch = epoch;
      accepted = std::move(bytes);
      status.state = VmState::kRunningLocal;
      may_serve = false;
    };
    h.may_serve_pages = [this] {
      std::lock_guard lock(mutex);
      return may_serve;
    };
    return h;
  }
};

struct Fixture {
  test::TempDir dir;
  std::filesystem::path image_path = test::write_image(dir.path(), kPages);
  FakeVm vm;
  std::unique_ptr<MemoryServer> server;

  explicit Fixture(bool with_vm = true, TlsConfig tls = psk()) {
    MemoryServerConfig c;
    c.image_path = image_path;
    c.tls = std::move(tls);
    c.handshake_timeout = Duration::seconds(2);
    if (with_vm) c.vm = vm.hooks();
    server = std::make_unique<MemoryServer>(std::move(c));
    server->start();
  }
  Endpoint endpoint() const { return Endpoint{"127.0.0.1", server->port()}; }
};

// The RemoteError a call raises (fails the test if it raises none).
template <typename F>
RemoteError remote_error(F&& f) {
  try {
    f();
  } catch (const RemoteError& e) {
    return e;
  }
  ADD_FAILURE() << "no RemoteError";
  return RemoteError(ErrorCode{}, "");
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(MemoryServerVm, StatusOverTlsPsk) {
  Fixture f;
  PageClient client(f.endpoint(), psk(), quick());
  EXPECT_EQ(client.session().version, 2);
  EXPECT_TRUE(client.vm_capable());
  EXPECT_EQ(client.session().capabilities, kCapAll);
  EXPECT_EQ(client.vm_status(), (VmStatus{VmState::kRemote, false, 7, 3'000'000, 1u << 30}));
  {
    std::lock_guard lock(f.vm.mutex);
    f.vm.status.user_returned = true;
    f.vm.status.state = VmState::kReintegrating;
  }
  const VmStatus st = client.vm_status();
  EXPECT_TRUE(st.user_returned);
  EXPECT_EQ(st.state, VmState::kReintegrating);
}

TEST(MemoryServerVm, DeviceStateArrivesInChunksByteForByte) {
  Fixture f;
  PageClient client(f.endpoint(), psk(), quick());
  const auto received_before = client.stats().frames_received;
  const std::vector<std::byte> state = client.get_device_state(7);
  EXPECT_EQ(state, *f.vm.state);
  // 3,000,000 bytes = 1 MiB + 1 MiB + 902,848 bytes: three DEVICE_STATE frames.
  EXPECT_EQ(client.stats().frames_received - received_before, 3u);
  EXPECT_EQ(f.server->stats().device_states_sent, 1u);
  // The connection serves pages afterwards (the VM is remote: may_serve_pages is true).
  std::uint64_t seen = 0;
  client.get_pages(std::vector<std::uint64_t>{1, 2}, [&](std::uint64_t p, const std::byte* data) {
    ++seen;
    EXPECT_EQ(std::memcmp(data, test::page_content(p).data(), kPage), 0);
  });
  EXPECT_EQ(seen, 2u);
}

TEST(MemoryServerVm, WrongEpochIsRefusedNamingIt) {
  Fixture f;
  PageClient client(f.endpoint(), psk(), quick());
  const RemoteError e = remote_error([&] { client.get_device_state(8); });
  EXPECT_EQ(e.code(), ErrorCode::kUnexpected);
  EXPECT_TRUE(contains(e.what(), "epoch 8")) << e.what();
  EXPECT_TRUE(contains(e.what(), "epoch 7")) << e.what();
  // ERROR closes the connection: the client is unusable, a new one is served.
  EXPECT_THROW(client.vm_status(), PeerGone);
  PageClient again(f.endpoint(), psk(), quick());
  const RemoteError put = remote_error([&] { again.put_device_state(6, pattern(10, 2)); });
  EXPECT_EQ(put.code(), ErrorCode::kUnexpected);
  EXPECT_TRUE(contains(put.what(), "epoch 6")) << put.what();
  // A state of many chunks, refused at its first: the client still hears why (not just a reset).
  PageClient third(f.endpoint(), psk(), quick());
  const RemoteError big = remote_error([&] { third.put_device_state(6, pattern(20u << 20, 3)); });
  EXPECT_EQ(big.code(), ErrorCode::kUnexpected);
  EXPECT_TRUE(contains(big.what(), "epoch 6")) << big.what();
  EXPECT_EQ(f.vm.accept_calls, 0);
}

TEST(MemoryServerVm, PutStateReachesTheHookAndIsAcknowledged) {
  Fixture f;
  PageClient client(f.endpoint(), psk(), quick());
  // 2.5 MiB + 3 bytes: three PUT_DEVICE_STATE frames, the last one of 0.5 MiB + 3 bytes.
  const auto state = pattern((5u << 19) + 3, 9);
  const auto sent_before = client.stats().frames_sent;
  client.put_device_state(7, state, Duration::seconds(30));
  EXPECT_EQ(client.stats().frames_sent - sent_before, 3u);
  {
    std::lock_guard lock(f.vm.mutex);
    EXPECT_EQ(f.vm.accept_calls, 1);
    EXPECT_EQ(f.vm.accepted_epoch, 7u);
    EXPECT_EQ(f.vm.accepted, state);
  }
  EXPECT_EQ(f.server->stats().device_states_accepted, 1u);
  EXPECT_EQ(client.vm_status().state, VmState::kRunningLocal);
}

TEST(MemoryServerVm, PutStateAfterTheDirtyPagesWereCommitted) {
  Fixture f;
  PageClient client(f.endpoint(), psk(), quick());
  const auto page = test::page_content(5, 3);
  client.put_pages(std::vector<DirtyPage>{{5, page}});
  // The write-back session is still open: the state must wait for COMMIT.
  const RemoteError e = remote_error([&] { client.put_device_state(7, pattern(100, 1)); });
  EXPECT_EQ(e.code(), ErrorCode::kUnexpected);
  EXPECT_TRUE(contains(e.what(), "COMMIT")) << e.what();
  EXPECT_EQ(f.vm.accept_calls, 0);

  PageClient again(f.endpoint(), psk(), quick());
  again.put_pages(std::vector<DirtyPage>{{5, page}});
  EXPECT_EQ(again.commit().pages, 1u);
  const auto state = pattern(100, 1);
  again.put_device_state(7, state);
  std::lock_guard lock(f.vm.mutex);
  EXPECT_EQ(f.vm.accepted, state);
}

TEST(MemoryServerVm, FailingHooksReachTheClientAsVmError) {
  Fixture f;
  {
    std::lock_guard lock(f.vm.mutex);
    f.vm.fail_accept = "qemu refused the incoming state";
  }
  PageClient client(f.endpoint(), psk(), quick());
  const RemoteError put = remote_error([&] { client.put_device_state(7, pattern(1000, 4)); });
  EXPECT_EQ(put.code(), ErrorCode::kVmError);
  EXPECT_TRUE(contains(put.what(), "qemu refused the incoming state")) << put.what();
  // A failed load is answered in DEVICE_STATE_ACK: the connection stays usable.
  EXPECT_EQ(client.vm_status().epoch, 7u);

  {
    std::lock_guard lock(f.vm.mutex);
    f.vm.fail_device_state = "the migration file is gone";
  }
  const RemoteError get = remote_error([&] { client.get_device_state(7); });
  EXPECT_EQ(get.code(), ErrorCode::kVmError);
  EXPECT_TRUE(contains(get.what(), "the migration file is gone")) << get.what();

  {
    std::lock_guard lock(f.vm.mutex);
    f.vm.fail_status = "QMP socket closed";
  }
  PageClient third(f.endpoint(), psk(), quick());
  const RemoteError st = remote_error([&] { third.vm_status(); });
  EXPECT_EQ(st.code(), ErrorCode::kVmError);
  EXPECT_TRUE(contains(st.what(), "QMP socket closed")) << st.what();
}

TEST(MemoryServerVm, PagesAreRefusedWhileTheVmRunsLocally) {
  Fixture f;
  {
    std::lock_guard lock(f.vm.mutex);
    f.vm.may_serve = false;
    f.vm.status.state = VmState::kRunningLocal;
  }
  PageClient client(f.endpoint(), psk(), quick());
  EXPECT_EQ(client.vm_status().state, VmState::kRunningLocal);  // status is always answered
  const RemoteError e =
      remote_error([&] { client.get_pages(std::vector<std::uint64_t>{1}, [](auto, auto) {}); });
  EXPECT_EQ(e.code(), ErrorCode::kVmLocal);
  EXPECT_TRUE(contains(e.what(), "the VM runs on the desktop")) << e.what();
  EXPECT_EQ(f.server->stats().pages_served, 0u);
  {
    std::lock_guard lock(f.vm.mutex);
    f.vm.may_serve = true;
  }
  PageClient again(f.endpoint(), psk(), quick());
  std::uint64_t seen = 0;
  again.get_pages(std::vector<std::uint64_t>{1}, [&](auto, auto) { ++seen; });
  EXPECT_EQ(seen, 1u);
}

TEST(MemoryServerVm, VersionOneClientIsServedWithoutTheVmCapability) {
  Fixture f;
  ClientOptions o = quick();
  o.max_version = 1;
  PageClient client(f.endpoint(), psk(), o);
  EXPECT_EQ(client.session().version, 1);
  EXPECT_FALSE(client.vm_capable());
  EXPECT_EQ(client.session().capabilities, kCapAll & ~kCapVm);
  std::uint64_t seen = 0;
  client.get_pages(std::vector<std::uint64_t>{0, 1, 2, 63}, [&](std::uint64_t p, const std::byte* data) {
    ++seen;
    if (data != nullptr) {
      EXPECT_EQ(std::memcmp(data, test::page_content(p).data(), kPage), 0);
    }
  });
  EXPECT_EQ(seen, 4u);
  try {
    client.vm_status();
    FAIL() << "VM_STATUS went out without the capability";
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnexpected);
  }
  EXPECT_GE(client.keepalive().us(), 0);  // still usable

  // A version 1 peer that sends a VM message anyway: type 15 does not exist in version 1.
  auto tls = TlsContext(psk(), TlsRole::kClient);
  StreamChannel ch(tls.establish(tcp_connect(f.endpoint(), deadline_after(Duration::seconds(2))), "server",
                                 deadline_after(Duration::seconds(2))),
                   Duration::seconds(2));
  ch.send_frame(encode(Hello{kMagic, 1, 1, kPage, kCapAll}));
  auto ack = ch.recv_frame(Duration::seconds(2));
  ASSERT_TRUE(ack);
  const auto hello_ack = std::get<HelloAck>(decode(*ack, {}));
  EXPECT_EQ(hello_ack.version, 1);
  EXPECT_EQ(hello_ack.capabilities & kCapVm, 0u);
  ch.send_frame(encode(VmStatusQuery{}));
  auto reply = ch.recv_frame(Duration::seconds(2));
  ASSERT_TRUE(reply);
  EXPECT_EQ(std::get<ErrorMsg>(decode(*reply, {})).code, ErrorCode::kUnknownType);
}

TEST(MemoryServerVm, WithoutHooksTheServerOffersNoVm) {
  Fixture f(false);
  PageClient client(f.endpoint(), psk(), quick());
  EXPECT_EQ(client.session().version, 2);
  EXPECT_FALSE(client.vm_capable());
  EXPECT_THROW(client.get_device_state(1), ProtocolError);
  // A version 2 peer sending VM_STATUS anyway gets UNEXPECTED (not negotiated).
  auto tls = TlsContext(psk(), TlsRole::kClient);
  StreamChannel ch(tls.establish(tcp_connect(f.endpoint(), deadline_after(Duration::seconds(2))), "server",
                                 deadline_after(Duration::seconds(2))),
                   Duration::seconds(2));
  ch.send_frame(encode(Hello{}));
  ASSERT_TRUE(ch.recv_frame(Duration::seconds(2)));
  ch.send_frame(encode(VmStatusQuery{}));
  auto reply = ch.recv_frame(Duration::seconds(2));
  ASSERT_TRUE(reply);
  EXPECT_EQ(std::get<ErrorMsg>(decode(*reply, {})).code, ErrorCode::kUnexpected);
}

TEST(MemoryServerVm, PutStreamsThatDoNotFollowAreRefused) {
  Fixture f(true, TlsConfig::insecure_plain_tcp());
  auto connect = [&] {
    auto ch = std::make_unique<StreamChannel>(
        make_tcp_stream(tcp_connect(f.endpoint(), deadline_after(Duration::seconds(2))), "server"),
        Duration::seconds(2));
    ch->send_frame(encode(Hello{}));
    EXPECT_TRUE(ch->recv_frame(Duration::seconds(2)));
    return ch;
  };
  auto error_of = [](StreamChannel& ch) {
    auto reply = ch.recv_frame(Duration::seconds(2));
    if (!reply) return ErrorCode{};
    return std::get<ErrorMsg>(decode(*reply, {})).code;
  };
  const auto bytes = pattern(300, 5);
  const std::span<const std::byte> s(bytes);
  {
    auto ch = connect();  // a gap between the chunks
    ch->send_frame(encode(PutDeviceState{{7, 0, 300, false, s.first(100)}}));
    ch->send_frame(encode(PutDeviceState{{7, 200, 300, true, s.subspan(200)}}));
    EXPECT_EQ(error_of(*ch), ErrorCode::kUnexpected);
  }
  {
    auto ch = connect();  // another request in the middle of the stream
    ch->send_frame(encode(PutDeviceState{{7, 0, 300, false, s.first(100)}}));
    ch->send_frame(encode(VmStatusQuery{}));
    EXPECT_EQ(error_of(*ch), ErrorCode::kUnexpected);
  }
  {
    auto ch = connect();  // a total over the bound
    std::vector<std::byte> payload;
    ByteWriter w(payload);
    w.u64(7);
    w.u64(0);
    w.u64(kMaxDeviceState + 1);
    w.u32(0);
    w.u32(0);
    Frame frame;
    frame.type = static_cast<std::uint16_t>(FrameType::kPutDeviceState);
    ByteWriter h(frame.wire);
    h.u32(static_cast<std::uint32_t>(payload.size()));
    h.u16(frame.type);
    h.u16(0);
    h.bytes(payload);
    ch->send_frame(frame);
    EXPECT_EQ(error_of(*ch), ErrorCode::kTooLarge);
  }
  EXPECT_EQ(f.vm.accept_calls, 0);
  EXPECT_EQ(f.server->stats().protocol_errors, 3u);
}

TEST(MemoryServerVm, IncompleteHooksAreRefusedAtConstruction) {
  test::TempDir dir;
  MemoryServerConfig c;
  c.image_path = test::write_image(dir.path(), 4);
  c.tls = psk();
  FakeVm vm;
  c.vm = vm.hooks();
  c.vm->accept_state = nullptr;
  try {
    MemoryServer server(std::move(c));
    FAIL() << "a server with a missing hook started";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(contains(e.what(), "accept_state")) << e.what();
  }
}

}  // namespace
}  // namespace jettison::emu
