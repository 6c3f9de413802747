// Magic packets across a veth pair between two test namespaces: UDP broadcast (interface and limited
// broadcast) and raw EtherType 0x0842 frames reach the listener; wrong MAC or password are ignored;
// nothing sent means a timeout. Plus the namespace fixture itself, and ETHTOOL_GWOL on a veth.
#include <gtest/gtest.h>

#include <algorithm>

#include "emu/power/ethtool_wol.hpp"
#include "emu/power/net_interface.hpp"
#include "emu/power/power_error.hpp"
#include "emu/power/wol_listener.hpp"
#include "emu/power/wol_sender.hpp"
#include "tests/emu/support/netns.hpp"

namespace jettison::emu {
namespace {

using jettison::testing::NetnsPair;
using std::chrono::milliseconds;

// Long enough for a packet across a veth on a loaded 2-core machine; only ever waited in full when
// the test expects nothing to arrive.
constexpr milliseconds kArrive{5000};
constexpr milliseconds kNothing{300};

class WolE2e : public jettison::testing::NetnsTest {
 protected:
  MacAddress desktop_mac() {
    return NetnsPair::run_in(pair().desktop().ns,
                             [&] { return query_interface(pair().desktop().ifname).mac; });
  }
  std::unique_ptr<WolListener> listen(const MacAddress& mac, std::optional<SecureOnPassword> password = {},
                                      std::optional<std::uint16_t> udp_port = kWolDefaultPort,
                                      bool raw = true) {
    WolListenerConfig c;
    c.interface = pair().desktop().ifname;
    c.mac = mac;
    c.password = std::move(password);
    c.udp_port = udp_port;
    c.raw = raw;
    return NetnsPair::run_in(pair().desktop().ns, [&] { return std::make_unique<WolListener>(c); });
  }
  std::unique_ptr<WolSender> sender(WolTransport transport, std::uint16_t port = kWolDefaultPort,
                                    bool limited = false) {
    WolSenderConfig c;
    c.interface = pair().server().ifname;
    c.transport = transport;
    c.udp_port = port;
    c.limited_broadcast = limited;
    return NetnsPair::run_in(pair().server().ns, [&] { return std::make_unique<WolSender>(c); });
  }
};

TEST_F(WolE2e, UdpBroadcastToTheInterfaceBroadcastAddressWakes) {
  const MacAddress mac = desktop_mac();
  auto l = listen(mac);
  auto s = sender(WolTransport::kUdp);
  EXPECT_NE(s->destination().find(".3:9 via jts0"), std::string::npos) << s->destination();  // .0/30 -> .3
  s->send(mac);
  const auto r = l->wait(kArrive);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->transport, WolTransport::kUdp);
  EXPECT_EQ(r->packet.mac, mac);
  EXPECT_EQ(r->from.rfind(pair().server().address + ":", 0), 0u) << r->from;
  EXPECT_EQ(l->stats().accepted, 1u);
}

TEST_F(WolE2e, LimitedBroadcastOnAChosenPortWakes) {
  const MacAddress mac = desktop_mac();
  auto l = listen(mac, std::nullopt, 40009, false);
  auto s = sender(WolTransport::kUdp, 40009, true);
  EXPECT_EQ(s->destination(), "255.255.255.255:40009 via jts0");
  s->send(mac);
  const auto r = l->wait(kArrive);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->transport, WolTransport::kUdp);
}

TEST_F(WolE2e, RawFrameWakes) {
  const MacAddress mac = desktop_mac();
  const MacAddress server_mac =
      NetnsPair::run_in(pair().server().ns, [&] { return query_interface(pair().server().ifname).mac; });
  auto l = listen(mac, std::nullopt, std::nullopt, true);
  auto s = sender(WolTransport::kRaw);
  s->send(mac);
  const auto r = l->wait(kArrive);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->transport, WolTransport::kRaw);
  EXPECT_EQ(r->from, server_mac.to_string());
}

TEST_F(WolE2e, SecureOnPasswordMustMatch) {
  const MacAddress mac = desktop_mac();
  const auto pw = SecureOnPassword::parse("01:02:03:04:05:06");
  auto l = listen(mac, pw);
  auto udp = sender(WolTransport::kUdp);
  auto raw = sender(WolTransport::kRaw);
  udp->send(mac);                                                // no password
  raw->send(mac, SecureOnPassword::parse("01:02:03:04:05:07"));  // wrong password
  EXPECT_FALSE(l->wait(kNothing));
  EXPECT_EQ(l->stats().ignored, 2u);
  EXPECT_EQ(l->stats().accepted, 0u);
  raw->send(mac, pw);
  const auto r = l->wait(kArrive);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->packet.password, pw);
}

TEST_F(WolE2e, WrongMacIsCountedAndIgnored) {
  const MacAddress mac = desktop_mac();
  auto other = mac.bytes();
  other[5] ^= 0x01;
  auto l = listen(mac);
  sender(WolTransport::kUdp)->send(MacAddress(other));
  sender(WolTransport::kRaw)->send(MacAddress(other));
  EXPECT_FALSE(l->wait(kNothing));
  const auto st = l->stats();
  EXPECT_EQ(st.ignored, 2u);
  EXPECT_EQ(st.accepted, 0u);
  EXPECT_NE(st.last_ignored_reason.find(MacAddress(other).to_string()), std::string::npos)
      << st.last_ignored_reason;
}

TEST_F(WolE2e, NothingSentTimesOut) {
  auto l = listen(desktop_mac());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(l->wait(kNothing));
  EXPECT_GE(std::chrono::steady_clock::now() - start, kNothing);
  EXPECT_EQ(l->stats().ignored, 0u);
}

TEST_F(WolE2e, CallbackThreadDeliversAndStops) {
  const MacAddress mac = desktop_mac();
  auto l = listen(mac);
  std::mutex m;
  std::condition_variable cv;
  int got = 0;
  l->start([&](const WolReceipt&) {
    std::lock_guard lock(m);
    ++got;
    cv.notify_all();
  });
  sender(WolTransport::kRaw)->send(mac);
  {
    std::unique_lock lock(m);
    EXPECT_TRUE(cv.wait_for(lock, kArrive, [&] { return got == 1; }));
  }
  l->stop();
  l->stop();  // idempotent
}

TEST_F(WolE2e, InterruptEndsAWait) {
  auto l = listen(desktop_mac());
  std::thread t([&] {
    std::this_thread::sleep_for(milliseconds(50));
    l->interrupt();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(l->wait(milliseconds(10'000)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(10'000));
  t.join();
}

TEST_F(WolE2e, ErrorsNameTheInterface) {
  NetnsPair::run_in(pair().desktop().ns, [&] {
    try {
      WolSender s(WolSenderConfig{"jt-missing"});
      FAIL();
    } catch (const PowerError& e) {
      EXPECT_NE(std::string(e.what()).find("jt-missing"), std::string::npos) << e.what();
    }
    // Loopback has no broadcast address: the interface-broadcast sender says so.
    try {
      WolSender s(WolSenderConfig{"lo"});
      FAIL();
    } catch (const PowerError& e) {
      EXPECT_NE(std::string(e.what()).find("lo: no IPv4 broadcast address"), std::string::npos) << e.what();
    }
  });
}

TEST_F(WolE2e, GwolOnAVethIsAClearError) {
  NetnsPair::run_in(pair().desktop().ns, [&] {
    try {
      const WolSettings s = get_wol(pair().desktop().ifname);
      GTEST_SKIP() << "this kernel's veth answers ETHTOOL_GWOL (supported " << wol_mode_letters(s.supported)
                   << ")";
    } catch (const PowerError& e) {
      EXPECT_NE(std::string(e.what()).find("the driver of jtd0 does not support Wake-on-LAN"),
                std::string::npos)
          << e.what();
    }
    EXPECT_THROW(enable_magic_wol(pair().desktop().ifname), PowerError);
  });
}

TEST_F(WolE2e, LinkDownStopsDelivery) {
  const MacAddress mac = desktop_mac();
  auto l = listen(mac);
  auto s = sender(WolTransport::kRaw);
  pair().set_link(pair().server(), false);
  try {
    s->send(mac);  // a raw send on a down link may fail (ENETDOWN) or be dropped: both lose the packet
  } catch (const PowerError& e) {
    EXPECT_NE(std::string(e.what()).find("jts0"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(l->wait(kNothing));
  pair().set_link(pair().server(), true);
  s->send(mac);
  EXPECT_TRUE(l->wait(kArrive));
}

TEST(NetnsFixture, LeavesNoNamespaceBehind) {
  if (auto why = jettison::testing::netns_unavailable_reason()) GTEST_SKIP() << *why;
  std::vector<std::string> names;
  {
    NetnsPair pair;
    names = pair.names();
    const auto during = NetnsPair::list_namespaces();
    for (const auto& n : names) EXPECT_NE(std::find(during.begin(), during.end(), n), during.end()) << n;
    const auto ping = NetnsPair::exec(pair.desktop().ns, "ping -c 1 -W 2 " + pair.server().address);
    if (ping.output.find("not found") == std::string::npos) {
      EXPECT_EQ(ping.status, 0) << ping.output;
    }
    EXPECT_EQ(NetnsPair::run_in(pair.server().ns, [] { return 42; }), 42);
    EXPECT_THROW(NetnsPair::run_in(pair.server().ns, [] { throw std::runtime_error("x"); }),
                 std::runtime_error);
    EXPECT_THROW(NetnsPair::run_in("jt-no-such-ns", [] {}), jettison::testing::NetnsError);
  }
  const auto after = NetnsPair::list_namespaces();
  for (const auto& n : names) EXPECT_EQ(std::find(after.begin(), after.end(), n), after.end()) << n;
}

TEST(NetnsFixture, TwoPairsGetDistinctNames) {
  if (auto why = jettison::testing::netns_unavailable_reason()) GTEST_SKIP() << *why;
  NetnsPair a;
  NetnsPair b;
  EXPECT_NE(a.desktop().ns, b.desktop().ns);
  EXPECT_NE(a.desktop().address, b.desktop().address);
}

}  // namespace
}  // namespace jettison::emu
