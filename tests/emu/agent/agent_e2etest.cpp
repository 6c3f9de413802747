// End to end across a veth pair: the desktop agent (emulated power) in the desktop namespace, a
// RemoteSource in the server namespace. Fetch -> sleep_desktop() -> the agent is asleep -> fetch
// again: the magic packet broadcast on the server's veth wakes it and the pages arrive, equal to
// the image. Lost magic packets: one sent while the desktop is still suspending is dropped (a NIC
// only wakes once asleep) and the resend on the next backoff step wakes it; packets for the wrong
// MAC never wake it, so the fetch stalls and gives up with a clear error, and a source with the
// right MAC then recovers. Behind the userfaultfd fetcher: faults pause while the desktop sleeps
// and complete once it is woken; the dirty pages written back make the desktop's image equal the
// server's view. Needs root and network namespaces (skips otherwise); everything it
// creates is removed.
#include <gtest/gtest.h>

#include "emu/agent/desktop_agent.hpp"
#include "emu/fetch/fetcher.hpp"
#include "emu/fetch/uffd_region.hpp"
#include "emu/power/net_interface.hpp"
#include "emu/remote/remote_source.hpp"
#include "tests/emu/memserver/test_image.hpp"
#include "tests/emu/support/netns.hpp"

namespace jettison::emu {
namespace {

using jettison::testing::NetnsPair;
using std::chrono::milliseconds;
using test::kPage;

constexpr std::uint64_t kPages = 1024;
constexpr std::uint16_t kPort = 7070;
constexpr milliseconds kArrive{5000};  // generous bound for a state change on a loaded machine

TlsConfig psk() { return TlsConfig::psk("desktop-1", std::vector<unsigned char>(32, 0x5a)); }

class AgentE2e : public jettison::testing::NetnsTest {
 protected:
  void SetUp() override {
    NetnsTest::SetUp();
    if (IsSkipped()) return;
    image_ = test::write_image(dir_.path(), kPages);
    mac_ =
        NetnsPair::run_in(pair().desktop().ns, [&] { return query_interface(pair().desktop().ifname).mac; });
  }
  void TearDown() override {
    source_.reset();
    agent_.reset();
    NetnsTest::TearDown();
  }

  void start_agent(Duration suspend_delay) {
    DesktopAgentConfig c;
    c.server.image_path = image_;
    c.server.listen_host = pair().desktop().address;
    c.server.port = kPort;
    c.server.tls = psk();
    c.power = PowerBackendKind::kEmulated;
    c.emulated.listener.interface = pair().desktop().ifname;  // MAC: the interface's own
    c.emulated.suspend_delay = suspend_delay;
    c.emulated.resume_selective_delay = Duration::millis(200);
    c.emulated.initial_state = PowerState::kIdle;
    PowerTable watts;
    watts[PowerState::kIdle] = Power::watts(50);
    watts[PowerState::kAsleep] = Power::watts(2);
    c.watts = watts;
    NetnsPair::run_in(pair().desktop().ns, [&] {
      agent_ = std::make_unique<DesktopAgent>(c);
      agent_->start();  // the server's and the power thread's sockets live in the desktop namespace
    });
  }

  RemoteSourceConfig source_config(MacAddress mac) {
    RemoteSourceConfig c;
    c.endpoint = Endpoint{pair().desktop().address, kPort};
    c.tls = psk();
    c.client.connect_timeout = Duration::seconds(2);
    c.wake = RemoteWakeConfig{WolSenderConfig{pair().server().ifname, WolTransport::kUdp}, mac, std::nullopt};
    c.max_magic_packets = 8;
    c.give_up_after = Duration::seconds(20);  // a bound for a broken test; passing runs end sooner
    return c;
  }
  std::unique_ptr<RemoteSource> make_source(RemoteSourceConfig c) {
    // Constructed in the server namespace: its sockets (and reconnects, whoever calls) live there.
    return NetnsPair::run_in(pair().server().ns, [&] { return std::make_unique<RemoteSource>(c); });
  }

  // Fetches pages [first, first + count) and checks each against the image.
  void fetch_and_check(RemoteSource& source, std::uint64_t first, std::uint64_t count) {
    std::vector<std::uint64_t> pages(count);
    for (std::uint64_t i = 0; i < count; ++i) pages[i] = first + i;
    const auto image = test::read_file(image_);
    std::uint64_t seen = 0;
    source.fetch(pages, [&](std::uint64_t p, const std::byte* data) {
      ++seen;
      if (data == nullptr) {
        EXPECT_TRUE(test::zero_page(p)) << "page " << p << " reported zero";
      } else {
        EXPECT_EQ(std::memcmp(data, image.data() + p * kPage, kPage), 0) << "page " << p;
      }
    });
    EXPECT_EQ(seen, count);
  }

  void sleep_desktop(RemoteSource& source) {
    ASSERT_TRUE(source.sleep_desktop());
    ASSERT_TRUE(agent_->wait_for_state(PowerState::kAsleep, kArrive));
    EXPECT_FALSE(agent_->serving());
  }

  test::TempDir dir_;
  std::filesystem::path image_;
  MacAddress mac_;
  std::unique_ptr<DesktopAgent> agent_;
  std::unique_ptr<RemoteSource> source_;
};

TEST_F(AgentE2e, MagicPacketWakesTheSleepingDesktop) {
  start_agent(Duration::millis(50));
  source_ = make_source(source_config(mac_));
  fetch_and_check(*source_, 0, 300);

  sleep_desktop(*source_);
  EXPECT_EQ(agent_->state(), PowerState::kAsleep);

  fetch_and_check(*source_, 300, 700);  // wakes it: the fetch pauses, then completes
  const RemoteSourceStats s = source_->stats();
  EXPECT_EQ(s.wakeups, 1u);
  EXPECT_EQ(s.reconnects, 1u);
  EXPECT_GE(s.magic_packets, 1u);
  EXPECT_EQ(s.pages, 1000u);
  EXPECT_EQ(agent_->state(), PowerState::kServing);  // a magic packet resumes selectively
  const DesktopAgentStats a = agent_->stats();
  EXPECT_EQ(a.sleeps, 1u);
  EXPECT_EQ(a.wakeups, 1u);
  ASSERT_TRUE(a.last_wake.has_value());
  EXPECT_EQ(a.last_wake->cause, WakeCause::kMagicPacket);
  EXPECT_NE(a.last_wake->detail.find(pair().server().address), std::string::npos) << a.last_wake->detail;

  // The agent counted time asleep, and turns it into energy with the configured watts.
  const StateTimes t = agent_->state_times();
  EXPECT_GT(t[index_of(PowerState::kAsleep)], Duration());
  EXPECT_GT(t[index_of(PowerState::kResumingSelective)], Duration());
  ASSERT_TRUE(agent_->energy().has_value());
  EXPECT_GT(agent_->energy()->total.joules(), 0.0);
}

TEST_F(AgentE2e, PacketLostWhileSuspendingIsResent) {
  // The desktop takes 400 ms to fall asleep; the first packet goes out at once and arrives while it
  // is still suspending, so it is drained (lost). The backoff resends (after 50, 100, 200, 400 ms
  // waits: about 0.75 s in) reach it asleep and wake it.
  start_agent(Duration::millis(400));
  source_ = make_source(source_config(mac_));
  fetch_and_check(*source_, 0, 10);
  ASSERT_TRUE(source_->sleep_desktop());
  ASSERT_TRUE(agent_->wait_for_state(PowerState::kSuspending, kArrive));
  fetch_and_check(*source_, 10, 200);
  const RemoteSourceStats s = source_->stats();
  EXPECT_GE(s.magic_packets, 2u);
  EXPECT_EQ(s.wakeups, 1u);
  EXPECT_EQ(agent_->stats().wakeups, 1u);
}

TEST_F(AgentE2e, WrongMacStallsThenGivesUpAndTheRightOneRecovers) {
  start_agent(Duration::millis(50));
  RemoteSourceConfig wrong = source_config(MacAddress({0x02, 0, 0, 0, 0, 0x01}));
  wrong.give_up_after = Duration::millis(1500);
  source_ = make_source(wrong);
  fetch_and_check(*source_, 0, 10);
  sleep_desktop(*source_);
  try {
    fetch_and_check(*source_, 10, 10);
    FAIL() << "a desktop woken by packets for another MAC served pages";
  } catch (const SourceFailed& e) {
    EXPECT_NE(std::string(e.what()).find("giving up"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("magic packets"), std::string::npos) << e.what();
  }
  EXPECT_EQ(agent_->state(), PowerState::kAsleep);
  EXPECT_GE(source_->stats().magic_packets, 2u);
  EXPECT_EQ(source_->stats().wakeups, 0u);

  source_ = make_source([&] {
    RemoteSourceConfig right = source_config(mac_);
    right.connect_now = false;  // asleep: the first fetch wakes it
    return right;
  }());
  // The new source has never talked to the desktop, so it does not know it sleeps: the first
  // attempt fails, then it wakes it.
  fetch_and_check(*source_, 10, 100);
  EXPECT_EQ(source_->stats().wakeups, 1u);
  EXPECT_EQ(agent_->stats().wakeups, 1u);
}

TEST_F(AgentE2e, FaultsPauseWhileTheDesktopSleepsAndReintegrationMatches) {
  if (auto why = userfaultfd_unavailable()) GTEST_SKIP() << *why;
  start_agent(Duration::millis(50));
  source_ = make_source(source_config(mac_));
  UffdRegion region = UffdRegion::create(kPages, /*write_protect=*/true);
  Fetcher fetcher(region, *source_, nullptr);
  fetcher.start();
  const auto image = test::read_file(image_);
  std::byte* mem = region.local_data();
  ASSERT_NE(mem, nullptr);
  // Reads through the faulting mapping; each page must equal the image.
  auto touch = [&](std::uint64_t first, std::uint64_t count) {
    std::vector<std::byte> buf(kPage);
    for (std::uint64_t p = first; p < first + count; ++p) {
      std::memcpy(buf.data(), mem + p * kPage, kPage);
      EXPECT_EQ(std::memcmp(buf.data(), image.data() + p * kPage, kPage), 0) << "page " << p;
    }
  };
  touch(0, 100);
  sleep_desktop(*source_);
  touch(100, 100);  // these faults wait (paused) until the magic packet has woken the desktop
  EXPECT_EQ(source_->stats().wakeups, 1u);
  EXPECT_EQ(agent_->stats().wakeups, 1u);

  // Writes: page 5 and 150 are resident (write-protect faults), page 600 is not (a missing fault
  // that is a write). All three end up dirty, nothing else.
  for (std::uint64_t p : {5, 150, 600}) mem[p * kPage + 10] = std::byte{0xAB};
  fetcher.stop();  // cancels the source's fetches only: write-back still works
  const std::vector<std::uint64_t> dirty = fetcher.dirty_pages();
  EXPECT_EQ(dirty, (std::vector<std::uint64_t>{5, 150, 600}));
  std::vector<DirtyPage> pages;
  for (std::uint64_t p : dirty)
    pages.push_back(DirtyPage{p, std::span<const std::byte>(mem + p * kPage, kPage)});
  const RemoteWriteBackResult r = source_->write_back(pages);
  EXPECT_EQ(r.pages, 3u);
  EXPECT_EQ(r.generation, 1u);
  const auto after = test::read_file(image_);
  for (std::uint64_t p : {5, 150, 600}) {
    EXPECT_EQ(std::memcmp(after.data() + p * kPage, mem + p * kPage, kPage), 0) << "page " << p;
    EXPECT_EQ(after[p * kPage + 10], std::byte{0xAB}) << "page " << p;
  }
  // Untouched pages are as they were.
  EXPECT_EQ(std::memcmp(after.data() + 7 * kPage, image.data() + 7 * kPage, kPage), 0);
}

}  // namespace
}  // namespace jettison::emu
