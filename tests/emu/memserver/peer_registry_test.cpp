// The memory server's record of the consolidation servers it talks to (the desktop status' "server"):
// connections counted per server (address + TLS identity), connected since the oldest open one,
// who holds the VM, which one is "current", and a bounded memory.
#include "emu/memserver/peer_registry.hpp"

#include <gtest/gtest.h>

#include <string>

namespace jettison::emu {
namespace {

TEST(PeerRegistry, NoneBeforeTheFirstHello) {
  PeerRegistry r;
  EXPECT_FALSE(r.current());
  r.closed("10.0.0.2:4000", 5);  // an unknown connection's end changes nothing
  r.took_vm("10.0.0.2:4000", 5);
  EXPECT_FALSE(r.current());
}

TEST(PeerRegistry, ConnectionsOfOneServerAreCountedUnderIt) {
  PeerRegistry r;
  r.connected("10.0.0.2:4000", "10.0.0.2", "psk:lab-1", 1'000);
  r.connected("10.0.0.2:4001", "10.0.0.2", "psk:lab-1", 1'500);
  auto p = r.current();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->address, "10.0.0.2");
  EXPECT_EQ(p->identity, "psk:lab-1");
  EXPECT_EQ(p->open, 2u);
  EXPECT_EQ(p->connected_since_unix_ms, 1'000);
  EXPECT_EQ(p->first_seen_unix_ms, 1'000);
  EXPECT_EQ(p->last_seen_unix_ms, 1'500);
  // The older one ends: connected since the one left (1,500).
  r.closed("10.0.0.2:4000", 2'000);
  p = r.current();
  EXPECT_EQ(p->open, 1u);
  EXPECT_EQ(p->connected_since_unix_ms, 1'500);
  EXPECT_EQ(p->last_seen_unix_ms, 2'000);
  // Both gone (the desktop sleeps): remembered, not connected, last seen at the end.
  r.closed("10.0.0.2:4001", 3'000);
  p = r.current();
  EXPECT_EQ(p->open, 0u);
  EXPECT_FALSE(p->connected_since_unix_ms);
  EXPECT_EQ(p->last_seen_unix_ms, 3'000);
  // After the wake-up it reconnects from a new port: the same server, first seen unchanged.
  r.connected("10.0.0.2:4100", "10.0.0.2", "psk:lab-1", 9'000);
  p = r.current();
  EXPECT_EQ(p->open, 1u);
  EXPECT_EQ(p->connected_since_unix_ms, 9'000);
  EXPECT_EQ(p->first_seen_unix_ms, 1'000);
}

TEST(PeerRegistry, TheVmsHolderIsCurrentUntilTheVmIsBack) {
  PeerRegistry r;
  r.connected("10.0.0.2:4000", "10.0.0.2", "psk:lab-1", 1'000);
  r.took_vm("10.0.0.2:4000", 1'200);
  r.closed("10.0.0.2:4000", 1'300);
  // A second server connects later (same address, another identity is another server).
  r.connected("10.0.0.2:5000", "10.0.0.2", "psk:other", 2'000);
  auto p = r.current();
  EXPECT_EQ(p->identity, "psk:lab-1");  // holds the VM: current although not connected
  EXPECT_EQ(p->holds_vm_since_unix_ms, 1'200);
  r.vm_returned();
  p = r.current();
  EXPECT_EQ(p->identity, "psk:other");  // now the connected one
  EXPECT_FALSE(p->holds_vm_since_unix_ms);
  r.closed("10.0.0.2:5000", 2'500);
  // Neither connected: the one seen last (psk:other at 2,500 after psk:lab-1 at 1,300).
  EXPECT_EQ(r.current()->identity, "psk:other");
}

TEST(PeerRegistry, RemembersAtMostSixteenServers) {
  PeerRegistry r;
  // Server 0 stays connected; servers 1..20 come and go: the registry keeps 16, dropping those
  // seen longest ago, never the connected one.
  r.connected("10.0.1.0:1", "10.0.1.0", "psk:s", 0);
  for (int i = 1; i <= 20; ++i) {
    const std::string host = "10.0.1." + std::to_string(i);
    r.connected(host + ":1", host, "psk:s", i * 10);
    r.closed(host + ":1", i * 10 + 1);
  }
  EXPECT_EQ(r.current()->address, "10.0.1.0");  // the connected one
  r.closed("10.0.1.0:1", 1'000);
  EXPECT_EQ(r.current()->address, "10.0.1.0");  // seen last (1,000)
  // Server 1 (seen at 11) was evicted: it comes back as new, first seen now.
  r.connected("10.0.1.1:2", "10.0.1.1", "psk:s", 2'000);
  EXPECT_EQ(r.current()->first_seen_unix_ms, 2'000);
  // Server 20 (seen at 201) was kept: its first sighting stays.
  r.connected("10.0.1.20:2", "10.0.1.20", "psk:s", 3'000);
  EXPECT_EQ(r.current()->first_seen_unix_ms, 200);
}

}  // namespace
}  // namespace jettison::emu
