// The emulated power backend in the desktop namespace, woken by magic packets from the server
// namespace: hooks called in order, the resume kind and cause right, wrong packets ignored, a lost
// packet leaves it asleep until the alarm, and the state times add up to the wall time.
#include <gtest/gtest.h>

#include <future>

#include "emu/power/emulated_power.hpp"
#include "emu/power/energy_report.hpp"
#include "emu/power/net_interface.hpp"
#include "emu/power/wol_sender.hpp"
#include "tests/emu/support/netns.hpp"

namespace jettison::emu {
namespace {

using jettison::testing::NetnsPair;
using std::chrono::milliseconds;

constexpr milliseconds kArrive{5000};  // generous bound for a state change on a loaded machine

// A clock's reading of a state, the configured delay it must cover, and how much longer a loaded
// 2-core machine may take: the pause is a condition-variable wait of exactly the delay, so time in
// the state is at least the delay and at most the delay plus scheduling latency (bounded here by
// 2 s, far above what a thread wake-up costs).
constexpr Duration kSlack = Duration::seconds(2);

class EmulatedPowerE2e : public jettison::testing::NetnsTest {
 protected:
  void SetUp() override {
    NetnsTest::SetUp();
    if (IsSkipped()) return;
    mac_ =
        NetnsPair::run_in(pair().desktop().ns, [&] { return query_interface(pair().desktop().ifname).mac; });
  }
  std::unique_ptr<EmulatedPower> backend(EmulatedPowerConfig c) {
    c.listener.interface = pair().desktop().ifname;
    if (c.listener.mac == MacAddress()) c.listener.mac = mac_;
    PowerHooks hooks{
        [this] { events_.push_back("sleep"); },
        [this](const WakeEvent& e) { events_.push_back("wake " + std::string(name_of(e.resume))); }};
    return NetnsPair::run_in(pair().desktop().ns, [&] { return std::make_unique<EmulatedPower>(c, hooks); });
  }
  std::unique_ptr<WolSender> sender(WolTransport t) {
    return NetnsPair::run_in(pair().server().ns, [&] {
      return std::make_unique<WolSender>(
          WolSenderConfig{.interface = pair().server().ifname, .transport = t});
    });
  }

  MacAddress mac_;
  std::vector<std::string> events_;  // written by the suspend() thread, read after it is joined
};

TEST_F(EmulatedPowerE2e, UdpMagicPacketResumesSelectively) {
  EmulatedPowerConfig c;
  c.suspend_delay = Duration::millis(200);
  c.resume_selective_delay = Duration::millis(300);
  c.resume_full_delay = Duration::seconds(5);  // not taken: a packet resumes selectively
  auto b = backend(c);
  EXPECT_EQ(b->state(), PowerState::kServing);
  auto done = std::async(std::launch::async, [&] { return b->suspend(); });
  ASSERT_TRUE(b->wait_for_state(PowerState::kAsleep, kArrive));
  std::this_thread::sleep_for(milliseconds(200));  // some time asleep before the packet
  sender(WolTransport::kUdp)->send(mac_);
  ASSERT_EQ(done.wait_for(kArrive), std::future_status::ready);
  const WakeEvent ev = done.get();
  EXPECT_EQ(ev.cause, WakeCause::kMagicPacket);
  EXPECT_EQ(ev.resume, ResumeKind::kSelective);
  EXPECT_NE(ev.detail.find("udp from " + pair().server().address), std::string::npos) << ev.detail;
  EXPECT_GE(ev.asleep, Duration::millis(200));
  EXPECT_EQ(b->state(), PowerState::kServing);
  EXPECT_EQ(events_, (std::vector<std::string>{"sleep", "wake selective"}));

  // Times: suspending >= 200 ms, asleep >= 200 ms (the sleep before sending), resuming_selective
  // >= 300 ms, each at most kSlack more; nothing in resuming_full; and their sum is the clock's
  // elapsed time (times() and elapsed() read the clock separately, elapsed() last, hence <=).
  const StateTimes t = b->state_times();
  const Duration elapsed = b->clock().elapsed();
  EXPECT_GE(t[index_of(PowerState::kSuspending)], c.suspend_delay);
  EXPECT_LT(t[index_of(PowerState::kSuspending)], c.suspend_delay + kSlack);
  EXPECT_GE(t[index_of(PowerState::kAsleep)], Duration::millis(200));
  EXPECT_GE(t[index_of(PowerState::kResumingSelective)], c.resume_selective_delay);
  EXPECT_LT(t[index_of(PowerState::kResumingSelective)], c.resume_selective_delay + kSlack);
  EXPECT_EQ(t[index_of(PowerState::kResumingFull)], Duration());
  Duration sum;
  for (Duration d : t) sum += d;
  EXPECT_LE(sum, elapsed);
  EXPECT_GE(sum, elapsed - Duration::millis(50));

  // Energy from those times: every joule is some state's watts x its time.
  PowerTable p;
  p[PowerState::kServing] = Power::watts(45);
  p[PowerState::kSuspending] = Power::watts(50);
  p[PowerState::kAsleep] = Power::watts(3);
  p[PowerState::kResumingSelective] = Power::watts(55);
  const EnergyReport r = make_energy_report(t, p);
  EXPECT_NEAR(r.energy[index_of(PowerState::kResumingSelective)].joules(),
              55.0 * t[index_of(PowerState::kResumingSelective)].seconds_f(), 1e-9);
  EXPECT_GE(r.energy[index_of(PowerState::kSuspending)].joules(), 50.0 * 0.2);  // 50 W x >= 0.2 s
}

TEST_F(EmulatedPowerE2e, RawFrameWithPasswordWakesAndCanResumeFully) {
  EmulatedPowerConfig c;
  c.listener.password = SecureOnPassword::parse("0a:0b:0c:0d:0e:0f");
  c.listener.udp_port = std::nullopt;
  c.packet_resume = ResumeKind::kFull;
  c.resume_full_delay = Duration::millis(100);
  auto b = backend(c);
  auto done = std::async(std::launch::async, [&] { return b->suspend(); });
  ASSERT_TRUE(b->wait_for_state(PowerState::kAsleep, kArrive));
  auto s = sender(WolTransport::kRaw);
  s->send(mac_);                                                // no password: ignored
  s->send(mac_, SecureOnPassword::parse("0a:0b:0c:0d:0e:00"));  // wrong password: ignored
  EXPECT_EQ(done.wait_for(milliseconds(300)), std::future_status::timeout);
  EXPECT_EQ(b->state(), PowerState::kAsleep);
  s->send(mac_, c.listener.password);
  ASSERT_EQ(done.wait_for(kArrive), std::future_status::ready);
  const WakeEvent ev = done.get();
  EXPECT_EQ(ev.cause, WakeCause::kMagicPacket);
  EXPECT_EQ(ev.resume, ResumeKind::kFull);
  EXPECT_EQ(b->state(), PowerState::kActive);
  EXPECT_EQ(b->listener_stats().ignored, 2u);
  EXPECT_GE(b->state_times()[index_of(PowerState::kResumingFull)], c.resume_full_delay);
}

TEST_F(EmulatedPowerE2e, WrongMacDoesNotWakeButTheUserDoes) {
  auto b = backend({});
  auto done = std::async(std::launch::async, [&] { return b->suspend(); });
  ASSERT_TRUE(b->wait_for_state(PowerState::kAsleep, kArrive));
  auto other = mac_.bytes();
  other[0] ^= 0x02;
  sender(WolTransport::kUdp)->send(MacAddress(other));
  EXPECT_EQ(done.wait_for(milliseconds(300)), std::future_status::timeout);
  b->user_wake();
  ASSERT_EQ(done.wait_for(kArrive), std::future_status::ready);
  const WakeEvent ev = done.get();
  EXPECT_EQ(ev.cause, WakeCause::kUser);
  EXPECT_EQ(ev.resume, ResumeKind::kFull);
  EXPECT_EQ(b->listener_stats().ignored, 1u);
  EXPECT_EQ(events_, (std::vector<std::string>{"sleep", "wake full"}));
}

TEST_F(EmulatedPowerE2e, LostPacketSleepsUntilTheAlarm) {
  EmulatedPowerConfig c;
  c.max_sleep = Duration::millis(400);
  auto b = backend(c);
  const WakeEvent ev = b->suspend();  // nothing is sent
  EXPECT_EQ(ev.cause, WakeCause::kAlarm);
  EXPECT_GE(ev.asleep, Duration::millis(400));
  EXPECT_LT(ev.asleep, Duration::millis(400) + kSlack);
  EXPECT_EQ(b->listener_stats().accepted, 0u);
}

TEST_F(EmulatedPowerE2e, PacketsBeforeSleepDoNotWake) {
  // A packet that arrives while the desktop is still awake is dropped when it falls asleep, as a
  // NIC's wake logic is only armed in sleep.
  EmulatedPowerConfig c;
  c.max_sleep = Duration::millis(300);
  auto b = backend(c);
  sender(WolTransport::kUdp)->send(mac_);
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(b->suspend().cause, WakeCause::kAlarm);
}

TEST_F(EmulatedPowerE2e, ShutdownEndsASleep) {
  auto b = backend({});
  auto done = std::async(std::launch::async, [&] { return b->suspend(); });
  ASSERT_TRUE(b->wait_for_state(PowerState::kAsleep, kArrive));
  b->shutdown();
  ASSERT_EQ(done.wait_for(kArrive), std::future_status::ready);
  EXPECT_EQ(done.get().cause, WakeCause::kShutdown);
  EXPECT_EQ(events_, std::vector<std::string>{"sleep"});  // no on_wake: the agent is stopping
}

TEST_F(EmulatedPowerE2e, SleepsAndWakesRepeatedly) {
  auto b = backend({});
  auto s = sender(WolTransport::kRaw);
  for (int i = 0; i < 3; ++i) {
    auto done = std::async(std::launch::async, [&] { return b->suspend(); });
    ASSERT_TRUE(b->wait_for_state(PowerState::kAsleep, kArrive));
    s->send(mac_);
    ASSERT_EQ(done.wait_for(kArrive), std::future_status::ready);
    EXPECT_EQ(done.get().cause, WakeCause::kMagicPacket);
  }
  EXPECT_EQ(b->clock().entries()[index_of(PowerState::kAsleep)], 3u);
  EXPECT_EQ(b->listener_stats().accepted, 3u);
}

}  // namespace
}  // namespace jettison::emu
