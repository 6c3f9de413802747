// The QMP client against a scripted fake QEMU on a socketpair (and one on a real UNIX socket):
// greeting and capabilities, replies, errors, timeouts, events around replies, hang-ups, bounds.
#include "emu/vm/qmp_client.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <thread>

#include "tests/emu/vm/fake_qmp_peer.hpp"

namespace jettison::emu {
namespace {

using nlohmann::json;
using testing::FakeQmpPeer;

constexpr Duration kShort = Duration::millis(200);

TEST(QmpClient, HandshakeReadsGreetingAndNegotiatesCapabilities) {
  FakeQmpPeer peer;
  auto qemu = std::async(std::launch::async, [&] {
    peer.greet();
    return peer.answer("qmp_capabilities");
  });
  QmpClient qmp(peer.take_client_end(), "fake.sock");
  const json request = qemu.get();
  EXPECT_EQ(request["execute"], "qmp_capabilities");
  EXPECT_FALSE(request.contains("arguments"));
  EXPECT_EQ(qmp.greeting()["version"]["qemu"]["major"], 7);
}

TEST(QmpClient, CommandReturnsItsResultAndSendsArguments) {
  FakeQmpPeer peer;
  auto qemu = std::async(std::launch::async, [&] {
    peer.handshake();
    return peer.answer("query-status", {{"status", "running"}, {"running", true}});
  });
  QmpClient qmp(peer.take_client_end(), "fake.sock");
  const json ret = qmp.execute("query-status", {{"verbose", true}});
  EXPECT_EQ(ret["status"], "running");
  const json request = qemu.get();
  EXPECT_EQ(request["arguments"]["verbose"], true);
}

TEST(QmpClient, ErrorReplyIsACommandErrorNamingCommandClassAndDesc) {
  FakeQmpPeer peer;
  auto qemu = std::async(std::launch::async, [&] {
    peer.handshake();
    auto req = peer.read_request();
    peer.send({{"error", {{"class", "CommandNotFound"}, {"desc", "The command no-such has not been found"}}},
               {"id", req["id"]}});
  });
  QmpClient qmp(peer.take_client_end(), "fake.sock");
  try {
    qmp.execute("no-such");
    FAIL() << "no error raised";
  } catch (const QmpCommandError& e) {
    EXPECT_EQ(e.command(), "no-such");
    EXPECT_EQ(e.error_class(), "CommandNotFound");
    EXPECT_NE(std::string(e.what()).find("'no-such'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("CommandNotFound"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("has not been found"), std::string::npos) << e.what();
  }
  qemu.get();
}

TEST(QmpClient, NoAnswerIsATimeoutNamingTheCommandAndALateReplyIsSkipped) {
  FakeQmpPeer peer;
  std::promise<void> timed_out;
  auto qemu = std::async(std::launch::async, [&] {
    peer.handshake();
    auto slow = peer.read_request();  // not answered before the client gives up
    timed_out.get_future().wait();
    peer.send({{"return", {{"late", true}}}, {"id", slow["id"]}});
    peer.answer("query-name", {{"name", "vm1"}});
  });
  QmpClient qmp(peer.take_client_end(), "fake.sock");
  try {
    qmp.execute("query-migrate", json::object(), kShort);
    FAIL() << "no timeout raised";
  } catch (const QmpTimeout& e) {
    EXPECT_EQ(e.command(), "query-migrate");
    EXPECT_NE(std::string(e.what()).find("fake.sock"), std::string::npos) << e.what();
  }
  timed_out.set_value();
  // The late reply to query-migrate arrives first; the next command gets its own answer.
  EXPECT_EQ(qmp.execute("query-name")["name"], "vm1");
  qemu.get();
}

TEST(QmpClient, EventsAroundAReplyAreQueuedWithTheirTimestamps) {
  FakeQmpPeer peer;
  auto qemu = std::async(std::launch::async, [&] {
    peer.handshake();
    auto req = peer.read_request();
    peer.event("STOP");
    peer.event("MIGRATION", {{"status", "active"}}, 1'700'000'001);
    peer.send({{"return", json::object()}, {"id", req["id"]}});
    peer.event("RESUME");
  });
  QmpClient qmp(peer.take_client_end(), "fake.sock");
  EXPECT_TRUE(qmp.execute("stop").empty());
  qemu.get();  // everything is sent: RESUME is on the socket, not yet read

  auto migration = qmp.wait_event("MIGRATION", Duration());
  ASSERT_TRUE(migration.has_value());
  EXPECT_EQ(migration->data["status"], "active");
  // 1'700'000'001 s and 250 us after the epoch, as the fake sent it.
  EXPECT_EQ(
      std::chrono::duration_cast<std::chrono::microseconds>(migration->timestamp.time_since_epoch()).count(),
      1'700'000'001'000'250);

  auto rest = qmp.drain_events();  // STOP was queued during the command, RESUME read now
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].name, "STOP");
  EXPECT_TRUE(rest[0].data.is_null());
  EXPECT_EQ(rest[1].name, "RESUME");
  EXPECT_FALSE(qmp.wait_event("STOP", kShort).has_value());
}

TEST(QmpClient, WaitEventReadsUntilTheNamedEventAndKeepsOthers) {
  FakeQmpPeer peer;
  peer.greet();
  auto qemu = std::async(std::launch::async, [&] {
    peer.answer("qmp_capabilities");
    peer.event("RTC_CHANGE", {{"offset", 1}});
    peer.event("SHUTDOWN", {{"guest", false}});
  });
  QmpClient qmp(peer.take_client_end(), "fake.sock");
  qemu.get();
  auto shutdown = qmp.wait_event("SHUTDOWN", Duration::seconds(5));
  ASSERT_TRUE(shutdown.has_value());
  EXPECT_EQ(shutdown->data["guest"], false);
  auto others = qmp.drain_events();
  ASSERT_EQ(others.size(), 1u);
  EXPECT_EQ(others[0].name, "RTC_CHANGE");
}

TEST(QmpClient, PeerHangingUpIsDisconnectedNamingTheSocket) {
  FakeQmpPeer peer;
  auto qemu = std::async(std::launch::async, [&] {
    peer.handshake();
    peer.read_request();
    peer.hang_up();
  });
  QmpClient qmp(peer.take_client_end(), "/run/vm1.qmp");
  try {
    qmp.execute("quit");
    FAIL() << "no error raised";
  } catch (const QmpDisconnected& e) {
    EXPECT_EQ(e.socket(), "/run/vm1.qmp");
    EXPECT_NE(std::string(e.what()).find("/run/vm1.qmp"), std::string::npos) << e.what();
  }
  qemu.get();
  EXPECT_THROW(qmp.execute("query-status"), QmpDisconnected);
}

TEST(QmpClient, ALineLongerThanTheBoundIsAnError) {
  constexpr std::size_t kBound = 1024;
  FakeQmpPeer peer;
  auto qemu = std::async(std::launch::async, [&] {
    peer.handshake();
    peer.read_request();
    peer.send_raw("{\"return\": \"" + std::string(4 * kBound, 'x'));  // no end of line in sight
  });
  QmpClient qmp(peer.take_client_end(), "fake.sock", Duration::seconds(10), kBound);
  try {
    qmp.execute("query-status");
    FAIL() << "no error raised";
  } catch (const QmpTimeout&) {
    FAIL() << "timed out instead of refusing the line";
  } catch (const QmpError& e) {
    EXPECT_NE(std::string(e.what()).find("1024"), std::string::npos) << e.what();
  }
  qemu.get();
}

TEST(QmpClient, AGreetingThatIsNotOneIsAnError) {
  FakeQmpPeer peer;
  peer.send({{"return", json::object()}});
  EXPECT_THROW(QmpClient(peer.take_client_end(), "fake.sock", kShort), QmpError);
}

TEST(QmpClient, NoGreetingIsATimeout) {
  FakeQmpPeer peer;
  EXPECT_THROW(QmpClient(peer.take_client_end(), "fake.sock", kShort), QmpTimeout);
}

// A fake QEMU listening on a real UNIX socket that appears only after the client started trying.
TEST(QmpClient, ConnectRetriesUntilTheSocketAppears) {
  const auto dir = std::filesystem::temp_directory_path() / ("jettison-qmp-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "late.qmp";
  auto qemu = std::async(std::launch::async, [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listener.get(), 1) != 0)
      throw std::runtime_error("bind/listen failed");
    UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    const std::string greeting = R"({"QMP": {"version": {}, "capabilities": []}})"
                                 "\r\n";
    ::send(conn.get(), greeting.data(), greeting.size(), MSG_NOSIGNAL);
    char buf[512];
    const ssize_t n = ::read(conn.get(), buf, sizeof(buf));  // qmp_capabilities with id 1
    const auto req = json::parse(std::string(buf, static_cast<std::size_t>(std::max<ssize_t>(n, 0))));
    const std::string reply = json{{"return", json::object()}, {"id", req["id"]}}.dump() + "\n";
    ::send(conn.get(), reply.data(), reply.size(), MSG_NOSIGNAL);
    return req.value("execute", "");
  });
  int retries = 0;
  QmpClient qmp = QmpClient::connect(path, Duration::seconds(10), [&] { ++retries; });
  EXPECT_EQ(qemu.get(), "qmp_capabilities");
  EXPECT_GT(retries, 0);
  EXPECT_EQ(qmp.name(), path.string());
  std::filesystem::remove_all(dir);
}

TEST(QmpClient, ConnectToNothingTimesOutNamingConnect) {
  const auto path = std::filesystem::temp_directory_path() / "jettison-qmp-nobody-listens.qmp";
  try {
    QmpClient::connect(path, kShort);
    FAIL() << "connected to nothing";
  } catch (const QmpTimeout& e) {
    EXPECT_EQ(e.command(), "connect");
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
}

TEST(QmpClient, ConnectStopsEarlyWhenTheRetryHookThrows) {
  const auto path = std::filesystem::temp_directory_path() / "jettison-qmp-nobody-listens.qmp";
  EXPECT_THROW(
      QmpClient::connect(path, Duration::seconds(30), [] { throw std::runtime_error("QEMU exited"); }),
      std::runtime_error);
}

}  // namespace
}  // namespace jettison::emu
