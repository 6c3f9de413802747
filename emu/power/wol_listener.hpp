// Listens on one interface for magic packets addressed to one MAC (and password, when configured):
// UDP on a port and/or raw EtherType 0x0842 frames. Anything else is counted, logged at debug level
// and ignored. Use wait(timeout) from one thread, or start(callback) for a listening thread; both
// stop promptly on interrupt()/stop(). Sockets are opened in the constructor, in the calling
// thread's network namespace.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "emu/power/magic_packet.hpp"
#include "emu/power/wol_transport.hpp"
#include "emu/sys/unique_fd.hpp"

namespace jettison::emu {

struct WolListenerConfig {
  std::string interface;
  MacAddress mac;                                           // the MAC a packet must name
  std::optional<SecureOnPassword> password;                 // required when set
  std::optional<std::uint16_t> udp_port = kWolDefaultPort;  // nullopt: no UDP socket
  bool raw = true;                                          // also listen for EtherType 0x0842 frames
};

struct WolReceipt {
  WolTransport transport = WolTransport::kUdp;
  std::string from;  // "10.0.0.2:40000" or the sender's MAC
  MagicPacket packet;
};

struct WolListenerStats {
  std::uint64_t accepted = 0;
  std::uint64_t ignored = 0;
  std::string last_ignored_reason;
};

class WolListener {
 public:
  // Throws PowerError naming the interface. At least one of udp_port and raw must be set.
  explicit WolListener(WolListenerConfig config);
  ~WolListener();
  WolListener(const WolListener&) = delete;
  WolListener& operator=(const WolListener&) = delete;

  // The first matching packet within `timeout`, or nullopt on timeout or interrupt().
  std::optional<WolReceipt> wait(std::chrono::milliseconds timeout);
  // Discards every packet already queued (counted as ignored): a NIC only wakes while asleep.
  void drain();
  // Makes the wait() in progress, or else the next one, return nullopt at once.
  void interrupt();

  // Calls `on_packet` from a listening thread for each matching packet until stop().
  void start(std::function<void(const WolReceipt&)> on_packet);
  void stop();

  WolListenerStats stats() const;
  const WolListenerConfig& config() const { return config_; }

 private:
  // Reads one datagram from `fd`; a matching packet, or nullopt (ignored, or nothing queued).
  std::optional<WolReceipt> read_one(int fd, WolTransport transport, bool* got_any);
  void ignore(const std::string& from, const std::string& reason);

  WolListenerConfig config_;
  UniqueFd udp_;
  UniqueFd raw_;
  UniqueFd wake_;  // eventfd for interrupt()
  mutable std::mutex stats_mutex_;
  WolListenerStats stats_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace jettison::emu
