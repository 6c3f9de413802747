// Admission control for the memory server's connections: how many may be open at once, how many of
// them may still be in their handshake (TLS + HELLO), and how many of those may come from one peer
// address. A connection over any limit is closed at once by the caller (accepted, so the listen
// queue never fills with it), which keeps a flood of unauthenticated connections from costing more
// than the limits allow while clients that are already in keep being served.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>

namespace jettison::emu {

struct ConnectionLimitsConfig {
  std::uint32_t max_connections = 64;  // open connections, in their handshake or past it
  std::uint32_t max_handshakes = 32;   // connections still in their handshake
  std::uint32_t max_per_peer = 8;      // connections in their handshake from one peer address
};

// Throws std::invalid_argument naming the limit that is zero.
void validate(const ConnectionLimitsConfig& config);

enum class OverLimit { kConnections, kHandshakes, kPeer };
const char* over_limit_name(OverLimit why);

class ConnectionLimits {
 public:
  // One admitted connection's places; given back when it is released or destroyed.
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() { release(); }
    // The peer is in (handshake done): frees its handshake places, keeps the connection's.
    void handshake_done();
    void release();

   private:
    friend class ConnectionLimits;
    Slot(ConnectionLimits* owner, std::string host) : owner_(owner), host_(std::move(host)) {}
    ConnectionLimits* owner_ = nullptr;
    std::string host_;
    bool in_handshake_ = true;
  };

  struct Counts {
    std::uint32_t connections = 0, handshakes = 0;
  };

  explicit ConnectionLimits(ConnectionLimitsConfig config);
  ConnectionLimits(const ConnectionLimits&) = delete;
  ConnectionLimits& operator=(const ConnectionLimits&) = delete;

  // Places for a new connection from `host` (its handshake begins), or the limit it is over.
  std::variant<Slot, OverLimit> admit(const std::string& host);
  Counts counts() const;
  std::uint32_t handshakes_from(const std::string& host) const;
  const ConnectionLimitsConfig& config() const { return config_; }

 private:
  void end_handshake(const std::string& host);
  void end_connection();

  const ConnectionLimitsConfig config_;
  mutable std::mutex mutex_;
  Counts counts_;
  std::unordered_map<std::string, std::uint32_t> per_peer_;  // handshakes in progress, by address
};

}  // namespace jettison::emu
