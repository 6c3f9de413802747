#include "emu/power/wol_sender.hpp"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <cstring>

#include "emu/power/net_interface.hpp"
#include "emu/power/power_error.hpp"

namespace jettison::emu {

WolSender::WolSender(WolSenderConfig config) : config_(std::move(config)) {
  const std::string& ifname = config_.interface;
  const InterfaceInfo info = query_interface(ifname);
  ifindex_ = info.index;
  if (config_.transport == WolTransport::kUdp) {
    if (config_.limited_broadcast) {
      dest_ip_ = "255.255.255.255";
    } else if (info.broadcast) {
      dest_ip_ = *info.broadcast;
    } else {
      throw PowerError(ifname +
                       ": no IPv4 broadcast address to send the magic packet to "
                       "(give the interface an address or use the limited broadcast)");
    }
    fd_ = UniqueFd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd_) throw sys_error(ifname, "socket(AF_INET, SOCK_DGRAM)");
    const int one = 1;
    if (::setsockopt(fd_.get(), SOL_SOCKET, SO_BROADCAST, &one, sizeof one) != 0)
      throw sys_error(ifname, "setsockopt(SO_BROADCAST)");
    if (::setsockopt(fd_.get(), SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(),
                     static_cast<socklen_t>(ifname.size())) != 0)
      throw sys_error(ifname, "setsockopt(SO_BINDTODEVICE)");
    destination_ = dest_ip_ + ":" + std::to_string(config_.udp_port) + " via " + ifname;
  } else {
    fd_ = UniqueFd(::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd_) throw sys_error(ifname, "socket(AF_PACKET, SOCK_DGRAM)");
    destination_ = "ff:ff:ff:ff:ff:ff ethertype 0x0842 via " + ifname;
  }
}

void WolSender::send(const MacAddress& mac, const std::optional<SecureOnPassword>& password) const {
  const std::vector<std::uint8_t> packet = build_magic_packet(mac, password);
  const std::string& ifname = config_.interface;
  ssize_t sent = -1;
  if (config_.transport == WolTransport::kUdp) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(config_.udp_port);
    if (::inet_pton(AF_INET, dest_ip_.c_str(), &to.sin_addr) != 1)
      throw PowerError(ifname + ": bad broadcast address " + dest_ip_);
    sent = ::sendto(fd_.get(), packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                    sizeof to);
  } else {
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(kWolEtherType);
    to.sll_ifindex = ifindex_;
    to.sll_halen = ETH_ALEN;
    std::memset(to.sll_addr, 0xff, ETH_ALEN);
    sent = ::sendto(fd_.get(), packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                    sizeof to);
  }
  if (sent < 0) throw sys_error(ifname, "sendto(" + destination_ + ")");
  if (static_cast<std::size_t>(sent) != packet.size())
    throw PowerError(ifname + ": short send of the magic packet (" + std::to_string(sent) + " of " +
                     std::to_string(packet.size()) + " bytes)");
  spdlog::debug("wol: magic packet for {} sent to {}", mac.to_string(), destination_);
}

}  // namespace jettison::emu
