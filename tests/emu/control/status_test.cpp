// The status answers of both daemons built from fixed snapshots (emu/server/host_status.hpp,
// emu/agent/desktop_status.hpp) and their human form (emu/control/status_text.hpp): every field of
// the schema in emu/PROTOCOL.md ("Status") with the value it must have.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "emu/agent/desktop_status.hpp"
#include "emu/control/status_text.hpp"
#include "emu/server/host_status.hpp"

namespace jettison::emu {
namespace {

constexpr std::int64_t kNow = 1'700'000'010'000;  // ms since the epoch

HostStatus hosting() {
  HostStatus s;
  s.desktop = "10.0.0.1:7000";
  s.phase = SessionPhase::kServing;
  s.periods_hosted = 1;
  HostedVmStatus v;
  v.epoch = 2;
  v.fetch.faults = 105;
  v.fetch.duplicate_faults = 4;
  v.fetch.wp_faults = 2;
  v.fetch.demand_pages = 101;
  v.fetch.prefetched_pages = 9;
  v.fetch.zero_pages = 3;
  v.fetch.bytes = 107 * 4096;  // 110 pages fetched, 3 of them zero pages (no data)
  v.dirty_pending = 3;
  v.desktop_asleep = true;
  v.sleeps = 2;
  v.wakeups = 1;
  s.vm = v;
  s.last_wake_unix_ms = kNow - 2'500;
  s.last_period = HostedPeriodStatus{1, 40, 8, 5, "the user is back at the desktop"};
  return s;
}

TEST(HostStatusJson, EveryFieldFromTheSnapshot) {
  const nlohmann::json j = to_json(hosting(), kNow);
  EXPECT_EQ(j.at("side"), "server");
  EXPECT_EQ(j.at("desktop"), "10.0.0.1:7000");
  EXPECT_EQ(j.at("phase"), "serving");
  EXPECT_EQ(j.at("periods_hosted"), 1);
  ASSERT_EQ(j.at("vms").size(), 1u);
  const nlohmann::json& v = j.at("vms").at(0);
  EXPECT_EQ(v.at("desktop"), "10.0.0.1:7000");
  EXPECT_EQ(v.at("epoch"), 2);
  EXPECT_EQ(v.at("phase"), "serving");
  EXPECT_EQ(v.at("faults"), 105);
  EXPECT_EQ(v.at("duplicate_faults"), 4);
  EXPECT_EQ(v.at("wp_faults"), 2);
  EXPECT_EQ(v.at("pages_fetched"), 110);  // 101 demand + 9 prefetched
  EXPECT_EQ(v.at("demand_pages"), 101);
  EXPECT_EQ(v.at("prefetched_pages"), 9);
  EXPECT_EQ(v.at("zero_pages"), 3);
  EXPECT_EQ(v.at("bytes_fetched"), 107 * 4096);
  EXPECT_EQ(v.at("dirty_pending"), 3);
  EXPECT_EQ(v.at("desktop_asleep"), true);
  EXPECT_EQ(v.at("sleeps"), 2);
  EXPECT_EQ(v.at("wakeups"), 1);
  EXPECT_EQ(j.at("last_wake").at("at_unix_ms"), kNow - 2'500);
  EXPECT_DOUBLE_EQ(j.at("last_wake").at("ago_s").get<double>(), 2.5);  // 2500 ms
  const nlohmann::json& p = j.at("last_period");
  EXPECT_EQ(p.at("epoch"), 1);
  EXPECT_EQ(p.at("pages_fetched"), 48);  // 40 + 8
  EXPECT_EQ(p.at("dirty_written_back"), 5);
  EXPECT_EQ(p.at("ended_because"), "the user is back at the desktop");
  EXPECT_FALSE(j.contains("failure"));
}

TEST(HostStatusJson, WaitingHasNoVmAndAFailureIsNamed) {
  HostStatus s;
  s.desktop = "d:1";
  s.phase = SessionPhase::kFailed;
  s.error = "waiting for the VM: gone";
  const nlohmann::json j = to_json(s, kNow);
  EXPECT_TRUE(j.at("vms").is_array());
  EXPECT_TRUE(j.at("vms").empty());
  EXPECT_FALSE(j.contains("last_wake"));
  EXPECT_FALSE(j.contains("last_period"));
  EXPECT_EQ(j.at("failure"), "waiting for the VM: gone");
  const std::vector<std::string> lines = status_lines(j);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "server: desktop d:1, failed, 0 periods hosted, never woken; failed: waiting for the VM: gone");
  EXPECT_EQ(lines[1], "no VM hosted");
}

TEST(StatusText, ServerOneLineThenOneLinePerVm) {
  nlohmann::json j = to_json(hosting(), kNow);
  j["ok"] = true;
  const std::vector<std::string> lines = status_lines(j);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "server: desktop 10.0.0.1:7000, serving, 1 periods hosted, last wake 2.5 s ago; last period "
            "epoch 1: 48 pages fetched, 5 dirty written back");
  EXPECT_EQ(lines[1],
            "vm epoch 2 of 10.0.0.1:7000: serving, 110 pages fetched (101 demand, 9 prefetched), 105 faults "
            "(+2 write-protect), 3 dirty pending write-back, desktop asleep, 2 sleeps, 1 wake-ups");
}

DesktopStatus desktop_away() {
  DesktopStatus d;
  d.power = PowerState::kAsleep;
  d.serving = false;
  d.stats.sleeps = 3;
  d.stats.wakeups = 2;
  d.stats.server.pages_served = 111;
  d.stats.server.zero_pages_served = 4;
  d.stats.server.pages_written_back = 6;
  d.stats.last_wake = WakeEvent{WakeCause::kMagicPacket, ResumeKind::kSelective, Duration::millis(1500), ""};
  d.stats.last_wake_unix_ms = kNow - 61'000;
  d.image = "/dev/shm/jettison-desktop.ram";
  d.generation = 2;
  d.write_back_in_progress = 7;
  d.vm_state = VmState::kRemote;
  d.vm = {{"vm", "remote"}, {"backend", "qemu"}, {"epoch", 3}, {"user_returned", true}};
  // The server that took the VM 90 s ago, first seen 100 s ago, not connected since 40 s ago
  // (the desktop sleeps).
  ServerPeer p;
  p.address = "10.0.0.2";
  p.identity = "psk:lab-1";
  p.first_seen_unix_ms = kNow - 100'000;
  p.last_seen_unix_ms = kNow - 40'000;
  p.holds_vm_since_unix_ms = kNow - 90'000;
  d.stats.server.peer = p;
  return d;
}

TEST(DesktopStatusJson, EveryFieldFromTheSnapshot) {
  const nlohmann::json j = to_json(desktop_away(), kNow);
  EXPECT_EQ(j.at("side"), "desktop");
  EXPECT_EQ(j.at("location"), "server");
  EXPECT_EQ(j.at("power_state"), "asleep");
  EXPECT_EQ(j.at("serving"), false);
  EXPECT_EQ(j.at("pages_served"), 111);
  EXPECT_EQ(j.at("zero_pages_served"), 4);
  EXPECT_EQ(j.at("pages_written_back"), 6);
  EXPECT_EQ(j.at("sleeps"), 3);
  EXPECT_EQ(j.at("wakeups"), 2);
  EXPECT_EQ(j.at("image"), "/dev/shm/jettison-desktop.ram");
  const nlohmann::json& wb = j.at("write_back");
  EXPECT_EQ(wb.at("generation"), 2);
  EXPECT_EQ(wb.at("pages_written_back"), 6);
  EXPECT_EQ(wb.at("in_progress"), true);
  EXPECT_EQ(wb.at("journal_pages"), 7);
  const nlohmann::json& w = j.at("last_wake");
  EXPECT_EQ(w.at("cause"), "magic_packet");
  EXPECT_EQ(w.at("resume"), "selective");
  EXPECT_DOUBLE_EQ(w.at("asleep_s").get<double>(), 1.5);
  EXPECT_EQ(w.at("at_unix_ms"), kNow - 61'000);
  EXPECT_DOUBLE_EQ(w.at("ago_s").get<double>(), 61.0);
  const nlohmann::json& srv = j.at("server");
  EXPECT_EQ(srv.at("address"), "10.0.0.2");
  EXPECT_EQ(srv.at("identity"), "psk:lab-1");
  EXPECT_EQ(srv.at("connected"), false);
  EXPECT_EQ(srv.at("connections"), 0);
  EXPECT_FALSE(srv.contains("connected_since_unix_ms"));
  EXPECT_EQ(srv.at("first_seen_unix_ms"), kNow - 100'000);
  EXPECT_EQ(srv.at("last_seen_unix_ms"), kNow - 40'000);
  EXPECT_DOUBLE_EQ(srv.at("last_seen_ago_s").get<double>(), 40.0);
  EXPECT_EQ(srv.at("holds_vm"), true);
  EXPECT_EQ(srv.at("holds_vm_since_unix_ms"), kNow - 90'000);
  EXPECT_DOUBLE_EQ(srv.at("holds_vm_for_s").get<double>(), 90.0);
  // The VM controller's fields are merged in as they are.
  EXPECT_EQ(j.at("vm"), "remote");
  EXPECT_EQ(j.at("epoch"), 3);
  EXPECT_EQ(j.at("user_returned"), true);
}

TEST(DesktopStatusJson, NoVmNoWakeNoWriteBack) {
  DesktopStatus d;
  d.image = "vm.ram";
  const nlohmann::json j = to_json(d, kNow);
  EXPECT_EQ(j.at("location"), "no-vm");
  EXPECT_EQ(j.at("power_state"), "idle");
  EXPECT_FALSE(j.contains("last_wake"));
  EXPECT_FALSE(j.contains("vm"));
  EXPECT_EQ(j.at("write_back").at("in_progress"), false);
  EXPECT_FALSE(j.at("write_back").contains("journal_pages"));
  EXPECT_FALSE(j.contains("server"));  // no server has connected
  const std::vector<std::string> lines = status_lines(j);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(
      lines[0],
      "desktop: power idle, not serving, 0 pages served, 0 sleeps, 0 wake-ups, never woken; write-back: "
      "0 pages in, generation 0");
  EXPECT_EQ(lines[1], "server: none connected yet");
  EXPECT_EQ(lines[2], "no VM: serves the image vm.ram");
}

// A plain image served to a connected server: connected for 12.5 s (the oldest of its two
// connections' HELLO 12,500 ms ago); it holds no VM (there is none, whatever the registry says).
TEST(DesktopStatusJson, ConnectedServerWithoutAVm) {
  DesktopStatus d;
  d.image = "vm.ram";
  d.serving = true;
  ServerPeer p;
  p.address = "::1";
  p.identity = "cert:CN=server-1,O=lab";
  p.open = 2;
  p.connected_since_unix_ms = kNow - 12'500;
  p.first_seen_unix_ms = kNow - 30'000;
  p.last_seen_unix_ms = kNow - 1'000;
  p.holds_vm_since_unix_ms = kNow - 5'000;
  d.stats.server.peer = p;
  const nlohmann::json j = to_json(d, kNow);
  const nlohmann::json& srv = j.at("server");
  EXPECT_EQ(srv.at("connected"), true);
  EXPECT_EQ(srv.at("connections"), 2);
  EXPECT_EQ(srv.at("connected_since_unix_ms"), kNow - 12'500);
  EXPECT_DOUBLE_EQ(srv.at("connected_for_s").get<double>(), 12.5);
  EXPECT_EQ(srv.at("holds_vm"), false);
  EXPECT_FALSE(srv.contains("holds_vm_since_unix_ms"));
  const std::vector<std::string> lines = status_lines(j);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1], "server ::1 (cert:CN=server-1,O=lab): connected for 12.5 s (2 connections)");
}

TEST(StatusText, DesktopOneLineThenItsVm) {
  const std::vector<std::string> lines = status_lines(to_json(desktop_away(), kNow));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(
      lines[0],
      "desktop: power asleep, not serving, 111 pages served, 3 sleeps, 2 wake-ups, last wake 61.0 s ago "
      "(magic_packet); write-back: 6 pages in, generation 2, one in progress (7 pages journalled)");
  EXPECT_EQ(lines[1],
            "server 10.0.0.2 (psk:lab-1): not connected, last seen 40.0 s ago, holds the VM for 90.0 s");
  EXPECT_EQ(lines[2], "vm epoch 3: on the server, user back, qemu backend");
}

TEST(StatusText, OtherAnswersAreKeyValueLines) {
  const nlohmann::json j{{"ok", true}, {"epoch", 4}, {"lost", "10 s of work"}};
  const std::vector<std::string> lines = status_lines(j);
  EXPECT_EQ(lines, (std::vector<std::string>{"epoch: 4", "lost: 10 s of work"}));
}

TEST(VmLocation, EachVmStateHasItsWord) {
  EXPECT_EQ(vm_location(std::nullopt), "no-vm");
  EXPECT_EQ(vm_location(VmState::kNone), "no-vm");
  EXPECT_EQ(vm_location(VmState::kRunningLocal), "home");
  EXPECT_EQ(vm_location(VmState::kMigratingOut), "migrating");
  EXPECT_EQ(vm_location(VmState::kRemote), "server");
  EXPECT_EQ(vm_location(VmState::kReintegrating), "returning");
  EXPECT_EQ(vm_location(VmState::kFailed), "failed");
}

}  // namespace
}  // namespace jettison::emu
