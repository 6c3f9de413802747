// Sends magic packets out of one interface: as a UDP broadcast (SO_BINDTODEVICE + SO_BROADCAST, to the
// interface's broadcast address or to 255.255.255.255 on that interface) or as a raw Ethernet frame
// (AF_PACKET, EtherType 0x0842, to ff:ff:ff:ff:ff:ff). The socket is opened in the constructor, in
// the calling thread's network namespace, and reused for every send (the fetcher resends on backoff).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "emu/power/mac_address.hpp"
#include "emu/power/magic_packet.hpp"
#include "emu/power/wol_transport.hpp"
#include "emu/sys/unique_fd.hpp"

namespace jettison::emu {

struct WolSenderConfig {
  std::string interface;
  WolTransport transport = WolTransport::kUdp;
  std::uint16_t udp_port = kWolDefaultPort;
  // UDP only: send to 255.255.255.255 (still only out of `interface`) instead of the interface's
  // own broadcast address (which it must then have).
  bool limited_broadcast = false;
};

class WolSender {
 public:
  // Throws PowerError naming the interface (no such interface, no broadcast address, no permission).
  explicit WolSender(WolSenderConfig config);

  // Sends one magic packet for `mac`; throws PowerError naming the interface on any failure.
  void send(const MacAddress& mac, const std::optional<SecureOnPassword>& password = {}) const;

  // Where packets go, for logs: "10.1.2.3:9 via jt-s" or "ff:ff:ff:ff:ff:ff ethertype 0x0842 via jt-s".
  const std::string& destination() const { return destination_; }

 private:
  WolSenderConfig config_;
  UniqueFd fd_;
  int ifindex_ = 0;
  std::string dest_ip_;
  std::string destination_;
};

}  // namespace jettison::emu
