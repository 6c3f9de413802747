#include "emu/power/net_interface.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "emu/power/power_error.hpp"
#include "emu/sys/unique_fd.hpp"

namespace jettison::emu {

InterfaceInfo query_interface(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ) throw PowerError("bad interface name '" + name + "'");
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) throw sys_error(name, "socket(AF_INET)");
  ifreq req{};
  std::strncpy(req.ifr_name, name.c_str(), IFNAMSIZ - 1);

  InterfaceInfo info;
  info.name = name;
  if (::ioctl(fd.get(), SIOCGIFINDEX, &req) != 0) throw sys_error(name, "ioctl(SIOCGIFINDEX)");
  info.index = req.ifr_ifindex;
  if (::ioctl(fd.get(), SIOCGIFHWADDR, &req) != 0) throw sys_error(name, "ioctl(SIOCGIFHWADDR)");
  std::array<std::uint8_t, MacAddress::kSize> mac{};
  std::memcpy(mac.data(), req.ifr_hwaddr.sa_data, mac.size());
  info.mac = MacAddress(mac);
  if (::ioctl(fd.get(), SIOCGIFFLAGS, &req) != 0) throw sys_error(name, "ioctl(SIOCGIFFLAGS)");
  info.up = (req.ifr_flags & IFF_UP) != 0;
  if (::ioctl(fd.get(), SIOCGIFBRDADDR, &req) == 0) {
    sockaddr_in sin{};
    std::memcpy(&sin, &req.ifr_broadaddr, sizeof sin);
    char text[INET_ADDRSTRLEN] = {};
    if (sin.sin_addr.s_addr != 0 && ::inet_ntop(AF_INET, &sin.sin_addr, text, sizeof text))
      info.broadcast = text;
  } else if (errno != EADDRNOTAVAIL) {
    throw sys_error(name, "ioctl(SIOCGIFBRDADDR)");
  }
  return info;
}

}  // namespace jettison::emu
