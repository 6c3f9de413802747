// The desktop's memory server: serves a memory image over the wire protocol to several clients at
// once, one thread per connection (plus one accept thread); accepts dirty pages back through the
// journal. stop() closes the listener and every connection (emulated sleep); start() serves again
// on the same port.
//
// Bounded under a flood of connections (MemoryServerConfig::limits, ConnectionLimits): at most
// max_connections open, of which at most max_handshakes still in their handshake (TLS + HELLO) and
// max_per_peer of those from one address. A connection over a limit is accepted and closed at once
// by the accept thread (no thread, no buffer; the listen queue keeps draining, so real clients get
// through), counted in stats().over_limit and logged once a second at most (OverLimitLog). The
// handshake has one deadline from accept to HELLO (handshake_timeout); past it the connection is
// closed and logged with its peer. Before HELLO a frame may announce at most kMaxHandshakePayload
// bytes (HandshakeChannel), so an idle or dribbling peer holds no page-sized buffer.
//
// Why threads stay: a session after HELLO is a blocking loop with deadlines (reads, VM hooks, the
// journal), so it needs its thread anyway; moving only the handshakes to a poll loop would need a
// non-blocking TLS and HELLO state machine beside it for little gain once the limits bound the
// threads. Each connection thread gets a kConnectionStack stack (SmallStackThread) instead of
// glibc's 8 MiB: the deepest path, a VM hook loading device state over QMP, uses two 64 KiB
// buffers. Each connection costs one thread and two descriptors (its socket and a duplicate stop()
// shuts down), so threads <= max_connections + 2 and descriptors <= 2 * max_connections + the
// server's own few.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>

#include "common/time.hpp"
#include "emu/memserver/connection_limits.hpp"
#include "emu/memserver/journal.hpp"
#include "emu/memserver/memory_image.hpp"
#include "emu/memserver/over_limit_log.hpp"
#include "emu/memserver/peer_registry.hpp"
#include "emu/memserver/vm_hooks.hpp"
#include "emu/wire/frame.hpp"
#include "emu/wire/tcp_socket.hpp"
#include "emu/wire/tls_config.hpp"

namespace jettison::emu {

class Channel;
class TlsContext;

struct MemoryServerConfig {
  std::filesystem::path image_path;
  std::uint32_t page_size = 4096;
  std::string listen_host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (see MemoryServer::port())
  TlsConfig tls;
  std::uint64_t capabilities = kCapAll;               // what this server offers
  Duration handshake_timeout = Duration::seconds(5);  // accept to HELLO, TLS handshake included
  ConnectionLimitsConfig limits;                      // connections open, in handshake, per peer
  Duration idle_timeout = Duration::seconds(300);     // no frame for this long: close
  Duration send_timeout = Duration::seconds(10);
  // Called (on a separate thread) after SLEEP_ACK went out; the power agent suspends here.
  std::function<void(std::uint32_t after_ms)> on_sleep;
  JournalCrashHook journal_crash_hook;  // tests only
  // The desktop's VM (protocol version 2). Without it the VM capability is not offered and the
  // server serves a plain image; with it every hook must be set.
  std::optional<VmHooks> vm;
};

struct MemoryServerStats {
  std::uint64_t connections = 0;         // accepted and past TLS + HELLO
  std::uint64_t refused = 0;             // TLS or handshake refused, or handshake timed out
  std::uint64_t over_limit = 0;          // closed at once: over a connection limit
  std::uint64_t handshake_timeouts = 0;  // closed: no HELLO within handshake_timeout of accept
  std::uint64_t protocol_errors = 0;     // connections closed for malformed input
  std::uint64_t pages_served = 0, zero_pages_served = 0;
  std::uint64_t pages_written_back = 0;
  std::uint64_t device_states_sent = 0, device_states_accepted = 0;
  std::optional<ServerPeer> peer;  // the consolidation server of record (PeerRegistry::current())
};

inline constexpr std::size_t kConnectionStack = 512u << 10;  // stack of a connection's thread

class MemoryServer {
 public:
  // Opens the image and recovers an interrupted write-back (see recovery()).
  explicit MemoryServer(MemoryServerConfig config);
  ~MemoryServer();
  MemoryServer(const MemoryServer&) = delete;
  MemoryServer& operator=(const MemoryServer&) = delete;

  void start();
  void stop();
  bool running() const { return running_; }
  std::uint16_t port() const { return port_; }
  MemoryServerStats stats() const;
  const RecoveryResult& recovery() const { return recovery_; }
  const MemoryImage& image() const { return *image_; }
  std::uint64_t generation() const;
  // Pages journalled so far by a write-back in progress (a client between its first PUT_PAGES and its
  // commit), or nullopt when none is open.
  std::optional<std::uint64_t> write_back_in_progress() const;
  // Connections open and in their handshake now.
  ConnectionLimits::Counts connection_counts() const { return limits_.counts(); }

 private:
  struct Conn;
  void accept_loop();
  void start_connection(Accepted accepted, ConnectionLimits::Slot slot);
  void run_connection(Conn& conn, Accepted accepted, ConnectionLimits::Slot slot, Deadline deadline);
  void reap_finished();

  MemoryServerConfig config_;
  std::unique_ptr<MemoryImage> image_;
  std::unique_ptr<TlsContext> tls_;
  std::unique_ptr<TcpListener> listener_;
  std::uint16_t port_ = 0;

  // Write-back: one session at a time, owned by one connection; exclusive image lock while applying.
  mutable std::mutex journal_mutex_;
  std::unique_ptr<Journal> journal_;
  const void* journal_owner_ = nullptr;
  std::shared_mutex image_lock_;
  RecoveryResult recovery_;

  std::atomic<bool> running_{false}, stopping_{false};
  std::thread acceptor_;
  std::mutex conns_mutex_;
  std::list<std::unique_ptr<Conn>> conns_;
  ConnectionLimits limits_;
  OverLimitLog over_limit_log_;  // accept thread only
  std::mutex vm_accept_mutex_;   // one accept_state at a time
  std::mutex sleep_mutex_;
  std::thread sleeper_;

  mutable std::mutex stats_mutex_;
  MemoryServerStats stats_;
  PeerRegistry peers_;  // who is connected, who took the VM (for the status)

  friend class ServerSession;
};

}  // namespace jettison::emu
