// One client connection on the memory server, after TLS: the HELLO handshake, then requests
// until BYE, a protocol error (logged, ERROR sent, connection closed), the peer leaving, or stop().
// With VM hooks (version 2) it also answers VM_STATUS and the device state messages.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "emu/wire/channel.hpp"
#include "emu/wire/device_state_stream.hpp"
#include "emu/wire/messages.hpp"

namespace jettison::emu {

class MemoryServer;

// Who is on the other end: the peer's address (no port) and the TLS identity it proved.
struct PeerLabel {
  std::string host, identity;
};

class ServerSession {
 public:
  ServerSession(MemoryServer& server, Channel& channel, const std::atomic<bool>& stopping, PeerLabel who = {})
      : server_(server), channel_(channel), stopping_(stopping), who_(std::move(who)) {}
  ~ServerSession();
  // Returns normally when the session ends for any reason; never throws.
  void run() noexcept;

 private:
  // The next frame, or nullopt if the server is stopping. Enforces the idle timeout.
  std::optional<Frame> next_frame(Duration timeout);
  bool handshake();
  void serve_get(const GetPages& m);
  void put_pages(const PutPages& m);
  void commit(const Commit& m);
  void require_vm(const char* what) const;
  VmStatus vm_status() const;
  void get_device_state(const GetDeviceState& m);
  void put_device_state(const PutDeviceState& m);
  // After an ERROR: reads and drops the peer's frames until it closes (bounded), so the ERROR is
  // not lost to a connection reset. Throws WireError when the peer is gone.
  void drain_after_error();
  void send(const Message& m) { channel_.send_frame(encode(m, limits_.page_size)); }

  MemoryServer& server_;
  Channel& channel_;
  const std::atomic<bool>& stopping_;
  PeerLabel who_;
  bool registered_ = false;  // in the server's PeerRegistry (past HELLO)
  DecodeLimits limits_;
  std::uint64_t caps_ = 0;
  bool owns_journal_ = false;
  std::optional<DeviceStateAssembler> put_state_;  // a PUT_DEVICE_STATE stream in progress
  std::vector<std::byte> read_buffer_;             // pages read from the image for one frame
};

}  // namespace jettison::emu
