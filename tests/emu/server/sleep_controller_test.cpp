// The SleepController's loop against fakes of the fetcher's clock and the desktop: it decides when the
// scheduler says so, tells the scheduler, records faults and wakes, retries a desktop it cannot reach,
// and check_wakeups() spots wake-ups that match no decision. Also the shared flag checks.
#include "emu/server/sleep_controller.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "common/input_error.hpp"
#include "emu/server/remote_flags.hpp"

namespace jettison::emu {
namespace {

using std::chrono::milliseconds;

class FakeClock final : public SleepClock {
 public:
  Time now() const override { return Time::micros(now_us.load()); }
  Time sleep_at() const override { return Time::micros(sleep_at_us.load()); }
  std::uint64_t faults() const override { return fault_count.load(); }
  void desktop_slept(Time t) override {
    slept_at = t.us();
    sleep_at_us = Time::never().us();  // as a scheduler would after on_sleep: nothing until a wake
    ++slept;
  }
  void desktop_woke(Time) override { ++woke; }

  std::atomic<std::int64_t> now_us{0}, sleep_at_us{100}, slept_at{-1};
  std::atomic<std::uint64_t> fault_count{0}, slept{0}, woke{0};
};

class FakeDesktop final : public DesktopPower {
 public:
  bool sleep_desktop() override {
    ++asked;
    if (!reachable) return false;
    is_asleep = true;
    return true;
  }
  bool asleep() const override { return is_asleep; }
  std::uint64_t magic_packets() const override { return packets; }
  std::uint64_t wakeups() const override { return wakes; }

  std::atomic<bool> reachable{true}, is_asleep{false};
  std::atomic<std::uint64_t> asked{0}, packets{0}, wakes{0};
};

// Polls `cond` for up to 2 s.
template <class F>
bool eventually(F&& cond) {
  for (int i = 0; i < 400; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return cond();
}

SleepControllerOptions fast() {
  SleepControllerOptions o;
  o.poll = milliseconds(1);
  o.retry = milliseconds(50);
  return o;
}

TEST(SleepController, DecidesWhenTheSchedulerSaysAndRecordsTheWake) {
  FakeClock clock;
  FakeDesktop desktop;
  SleepController c(clock, desktop, fast());
  c.start();
  clock.now_us = 50;  // before sleep_at (100): nothing
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(desktop.asked, 0u);

  clock.now_us = 150;
  ASSERT_TRUE(eventually([&] { return clock.slept == 1; }));
  EXPECT_EQ(clock.slept_at, 150);
  EXPECT_EQ(desktop.asked, 1u);

  // A fault, magic packets, then the source reaches the desktop again.
  clock.now_us = 400;
  clock.fault_count = 1;
  ASSERT_TRUE(eventually([&] { return c.summary().sleeps_then_fault == 1; }));
  desktop.packets = 2;
  desktop.wakes = 1;
  desktop.is_asleep = false;
  ASSERT_TRUE(eventually([&] { return clock.woke == 1; }));
  c.stop();

  const SleepSummary s = c.summary();
  EXPECT_EQ(s.decisions, 1u);
  EXPECT_EQ(s.sleeps, 1u);
  EXPECT_EQ(s.sleeps_then_fault, 1u);
  EXPECT_EQ(s.wakes, 1u);
  EXPECT_EQ(s.magic_packets, 2u);
  EXPECT_EQ(s.source_wakeups, 1u);
  EXPECT_FALSE(c.check_wakeups().has_value()) << *c.check_wakeups();
  const auto log = c.events();
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[0].kind, SleepEvent::Kind::kSleep);
  EXPECT_EQ(log[1].kind, SleepEvent::Kind::kFault);
  EXPECT_EQ(log[2].kind, SleepEvent::Kind::kMagicPacket);
  EXPECT_EQ(log[3].kind, SleepEvent::Kind::kWake);
}

TEST(SleepController, RetriesADesktopItCannotReach) {
  FakeClock clock;
  FakeDesktop desktop;
  desktop.reachable = false;
  clock.now_us = 1000;
  SleepController c(clock, desktop, fast());
  c.start();
  ASSERT_TRUE(eventually([&] { return desktop.asked >= 2; }));
  // Not hammered: one attempt per retry period (50 ms), not per poll (1 ms).
  std::this_thread::sleep_for(milliseconds(60));
  EXPECT_LE(desktop.asked, 6u);
  EXPECT_EQ(clock.slept, 0u);
  desktop.reachable = true;
  ASSERT_TRUE(eventually([&] { return clock.slept == 1; }));
  c.stop();
  const SleepSummary s = c.summary();
  EXPECT_EQ(s.sleeps, 1u);
  EXPECT_GE(s.decisions, 3u);
  EXPECT_EQ(c.events().front().kind, SleepEvent::Kind::kSleepFailed);
}

TEST(SleepController, WakeUpsWithoutADecisionAreReported) {
  FakeClock clock;
  clock.sleep_at_us = Time::never().us();  // the rule never says sleep
  FakeDesktop desktop;
  SleepController c(clock, desktop, fast());
  c.start();
  desktop.packets = 1;
  desktop.wakes = 1;  // the source woke the desktop on its own (it had crashed, say)
  ASSERT_TRUE(eventually([&] { return c.summary().magic_packets == 1; }));
  c.stop();
  ASSERT_TRUE(c.check_wakeups().has_value());
  EXPECT_NE(c.check_wakeups()->find("source counted 1 wake-ups"), std::string::npos) << *c.check_wakeups();
  EXPECT_FALSE(c.check_wakeups(/*other_outages=*/true).has_value());
}

TEST(SleepController, DefaultCostsAreTheDefaultScenariosDesktop) {
  const policy::SleepCosts c = default_sleep_costs();
  EXPECT_EQ(c.serving, Power::watts(60));
  EXPECT_EQ(c.asleep, Power::watts(1.2));
  // wake = wake_on_lan 10 ms + resume_selective 700 ms.
  EXPECT_EQ(c.wake, Duration::millis(710));
  EXPECT_EQ(c.suspend, Duration::millis(3090));
  // Round trip on the default star path (2 x (0.2 ms desktop link + 0.05 ms uplink)) + 4 KiB at
  // 1 Gbps (32.768 us, to the nearest us: 33) = 533 us.
  EXPECT_EQ(c.service, Duration::micros(533));
}

TEST(RemoteFlags, NameTheFlagAtFault) {
  RemoteFlags f;
  f.connect = "10.0.0.1:7000";
  f.insecure = true;
  EXPECT_NO_THROW(remote_source_config(f, 4096));
  f.wol_interface = "eth0";
  try {
    remote_source_config(f, 4096);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.origin(), "--desktop-mac");
  }
  f.desktop_mac = "nope";
  EXPECT_THROW(remote_source_config(f, 4096), InputError);
  f.desktop_mac = "52:54:00:12:34:56";
  const RemoteSourceConfig c = remote_source_config(f, 4096);
  ASSERT_TRUE(c.wake.has_value());
  EXPECT_EQ(c.wake->sender.interface, "eth0");
  f.connect = "nohost";
  EXPECT_THROW(remote_source_config(f, 4096), InputError);
  f.connect = "10.0.0.1:7000";
  f.insecure = false;  // no key
  EXPECT_THROW(remote_source_config(f, 4096), InputError);
}

TEST(RemoteFlags, SleepRulesFromTheRegistryOracleRefused) {
  SleepFlags s;
  s.rule = "timeout";
  s.timeout = "250ms";
  EXPECT_EQ(sleep_params(s).timeout, Duration::millis(250));
  for (const char* rule : {"break-even", "adaptive", "learning-augmented"}) {
    s.rule = rule;
    EXPECT_NO_THROW(sleep_params(s)) << rule;
  }
  s.rule = "oracle";
  try {
    sleep_params(s);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.origin(), "--sleep");
  }
  s.rule = "nap";
  try {
    sleep_params(s);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("timeout"), std::string::npos) << e.what();
  }
  s.rule = "timeout";
  s.timeout = "soon";
  EXPECT_THROW(sleep_params(s), InputError);
  s.timeout = "1s";
  s.trust = 0;
  EXPECT_THROW(sleep_params(s), InputError);
}

}  // namespace
}  // namespace jettison::emu
