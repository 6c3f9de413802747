// The consolidation servers a desktop's memory server talks to, for the desktop's status: who is
// connected now (address, TLS identity, since when) and who took the VM's device state. A server
// reconnects after every wake-up from a new port, so a server is its address and TLS identity;
// its connections are counted under it. Thread-safe; times are Unix milliseconds from the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace jettison::emu {

struct ServerPeer {
  std::string address;                                  // the server's host address, without the port
  std::string identity;                                 // "psk:NAME", "cert:SUBJECT" or "none (plain TCP)"
  std::uint32_t open = 0;                               // its connections open now (past HELLO)
  std::optional<std::int64_t> connected_since_unix_ms;  // the oldest open one's HELLO, while open > 0
  std::int64_t first_seen_unix_ms = 0;                  // its first HELLO since the agent started
  std::int64_t last_seen_unix_ms = 0;                   // its last HELLO or last connection's end
  std::optional<std::int64_t> holds_vm_since_unix_ms;   // it took the VM's device state, not back yet
};

class PeerRegistry {
 public:
  // Servers remembered; past it, the one seen longest ago that has no connection and no VM goes.
  static constexpr std::size_t kMaxServers = 16;

  // A connection from `peer` ("host:port") finished its HELLO.
  void connected(const std::string& peer, const std::string& address, const std::string& identity,
                 std::int64_t now_ms);
  // That connection ended. Unknown peers are ignored.
  void closed(const std::string& peer, std::int64_t now_ms);
  // The server on that connection took the VM's device state (GET_DEVICE_STATE answered).
  void took_vm(const std::string& peer, std::int64_t now_ms);
  // The VM's device state came back (PUT_DEVICE_STATE accepted): nobody holds it.
  void vm_returned();
  // The server of record: the one holding the VM; else the one with the latest HELLO among those
  // connected; else the one seen last. None before the first HELLO.
  std::optional<ServerPeer> current() const;

 private:
  using Key = std::pair<std::string, std::string>;  // address, identity
  struct Conn {
    Key server;
    std::int64_t since_ms;
  };
  void evict();

  mutable std::mutex mutex_;
  std::map<Key, ServerPeer> servers_;
  std::map<std::string, Conn> conns_;  // open connections by "host:port"
};

}  // namespace jettison::emu
