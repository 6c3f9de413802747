// Migration helpers against a scripted fake QEMU: the capabilities sent, the figures read back from
// query-migrate, polling until the end, failures reported with QEMU's reason.
#include "emu/vm/qemu_migration.hpp"

#include <gtest/gtest.h>

#include <future>

#include "tests/emu/vm/fake_qmp_peer.hpp"

namespace jettison::emu {
namespace {

using nlohmann::json;
using testing::FakeQmpPeer;

TEST(QemuMigration, CapabilitiesAreSentAsQemuNamesThem) {
  FakeQmpPeer peer;
  auto qemu = std::async(std::launch::async, [&] {
    peer.handshake();
    return peer.answer("migrate-set-capabilities");
  });
  QmpClient qmp(peer.take_client_end(), "src.qmp");
  set_capabilities(qmp, {{"x-ignore-shared", true}, {"postcopy-ram", false}});
  const json expected = json::parse(
      R"([{"capability": "x-ignore-shared", "state": true}, {"capability": "postcopy-ram", "state": false}])");
  EXPECT_EQ(qemu.get()["arguments"]["capabilities"], expected);
}

TEST(QemuMigration, WaitPollsUntilCompletedAndReadsTheFigures) {
  FakeQmpPeer peer;
  auto qemu = std::async(std::launch::async, [&] {
    peer.handshake();
    peer.answer("migrate", json::object());
    peer.answer("query-migrate", {{"status", "setup"}});
    peer.event("MIGRATION", {{"status", "active"}});
    peer.answer("query-migrate", {{"status", "active"}, {"ram", {{"transferred", 1000}}}});
    peer.answer("query-migrate", json::parse(R"({"status": "completed", "total-time": 41, "downtime": 7,
        "setup-time": 2, "ram": {"transferred": 320793, "total": 268435456, "normal": 70,
        "duplicate": 12, "postcopy-requests": 0}})"));
  });
  QmpClient qmp(peer.take_client_end(), "src.qmp");
  start_migration(qmp, "unix:/tmp/mig.sock");
  const MigrationResult r = wait_migration(qmp, Duration::seconds(10));
  qemu.get();
  EXPECT_TRUE(r.completed());
  EXPECT_EQ(r.transferred_bytes, 320793u);
  EXPECT_EQ(r.ram_total_bytes, 268435456u);
  EXPECT_EQ(r.normal_pages, 70u);
  EXPECT_EQ(r.duplicate_pages, 12u);
  EXPECT_EQ(r.total_time_ms, 41);
  EXPECT_EQ(r.downtime_ms, 7);
  EXPECT_EQ(r.setup_time_ms, 2);
}

TEST(QemuMigration, AFailedMigrationCarriesQemusReason) {
  FakeQmpPeer peer;
  auto qemu = std::async(std::launch::async, [&] {
    peer.handshake();
    peer.answer("query-migrate",
                {{"status", "failed"}, {"error-desc", "Unable to write to socket: Broken pipe"}});
  });
  QmpClient qmp(peer.take_client_end(), "src.qmp");
  const MigrationResult r = wait_migration(qmp, Duration::seconds(10));
  qemu.get();
  EXPECT_FALSE(r.completed());
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(r.error_desc, "Unable to write to socket: Broken pipe");
}

TEST(QemuMigration, AMigrationThatNeverEndsIsATimeoutNamingMigrate) {
  FakeQmpPeer peer;
  std::atomic<bool> done{false};
  auto qemu = std::async(std::launch::async, [&] {
    peer.handshake();
    try {
      while (!done) peer.answer("query-migrate", {{"status", "active"}});
    } catch (const std::exception&) {  // the client went away
    }
  });
  {
    QmpClient qmp(peer.take_client_end(), "src.qmp");
    try {
      wait_migration(qmp, Duration::millis(300));
      FAIL() << "no timeout";
    } catch (const QmpTimeout& e) {
      EXPECT_EQ(e.command(), "migrate");
    }
    done = true;
  }
  qemu.get();
}

TEST(QemuMigration, StatusIsTheRunState) {
  FakeQmpPeer peer;
  auto qemu = std::async(std::launch::async, [&] {
    peer.handshake();
    peer.answer("query-status", {{"status", "inmigrate"}, {"running", false}});
    peer.answer("query-status", {{"status", "running"}, {"running", true}});
  });
  QmpClient qmp(peer.take_client_end(), "dst.qmp");
  EXPECT_EQ(query_status(qmp), "inmigrate");
  wait_running(qmp, Duration::seconds(10));
  qemu.get();
}

}  // namespace
}  // namespace jettison::emu
