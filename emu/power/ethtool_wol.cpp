#include "emu/power/ethtool_wol.hpp"

#include <linux/sockios.h>
#include <net/if.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include "emu/power/power_error.hpp"
#include "emu/sys/unique_fd.hpp"

namespace jettison::emu {
namespace {

void ethtool_ioctl(const std::string& ifname, ethtool_wolinfo* info, const char* what) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) throw PowerError("bad interface name '" + ifname + "'");
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) throw sys_error(ifname, "socket(AF_INET)");
  ifreq req{};
  std::strncpy(req.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
  req.ifr_data = reinterpret_cast<char*>(info);
  if (::ioctl(fd.get(), SIOCETHTOOL, &req) == 0) return;
  const int err = errno;
  const std::string call = std::string("ioctl(SIOCETHTOOL, ") + what + ")";
  if (err == EOPNOTSUPP)
    throw PowerError("the driver of " + ifname + " does not support Wake-on-LAN (" + call + ": " +
                     std::strerror(err) + ")");
  if (err == EPERM) throw PowerError(ifname + ": " + call + " needs CAP_NET_ADMIN (run as root)");
  throw sys_error(ifname, call, err);
}

}  // namespace

ethtool_wolinfo make_get_wol_request() {
  ethtool_wolinfo w{};
  w.cmd = ETHTOOL_GWOL;
  return w;
}

ethtool_wolinfo make_set_wol_request(std::uint32_t wake_modes,
                                     const std::optional<SecureOnPassword>& password) {
  ethtool_wolinfo w{};
  w.cmd = ETHTOOL_SWOL;
  w.wolopts = wake_modes;
  if (password) {
    if (password->size() != SOPASS_MAX)
      throw PowerError("a NIC's SecureOn password has 6 bytes, not " + std::to_string(password->size()));
    w.wolopts |= WAKE_MAGICSECURE;
    std::memcpy(w.sopass, password->bytes().data(), SOPASS_MAX);
  }
  return w;
}

std::string wol_mode_letters(std::uint32_t modes) {
  static constexpr struct {
    std::uint32_t bit;
    char letter;
  } kLetters[] = {{WAKE_PHY, 'p'}, {WAKE_UCAST, 'u'}, {WAKE_MCAST, 'm'},       {WAKE_BCAST, 'b'},
                  {WAKE_ARP, 'a'}, {WAKE_MAGIC, 'g'}, {WAKE_MAGICSECURE, 's'}, {WAKE_FILTER, 'f'}};
  std::string out;
  for (const auto& l : kLetters)
    if (modes & l.bit) out += l.letter;
  return out.empty() ? "d" : out;
}

WolSettings get_wol(const std::string& interface) {
  ethtool_wolinfo w = make_get_wol_request();
  ethtool_ioctl(interface, &w, "ETHTOOL_GWOL");
  return {w.supported, w.wolopts};
}

void set_wol(const std::string& interface, const ethtool_wolinfo& request) {
  ethtool_wolinfo w = request;
  ethtool_ioctl(interface, &w, "ETHTOOL_SWOL");
}

WolSettings enable_magic_wol(const std::string& interface, const std::optional<SecureOnPassword>& password) {
  const WolSettings now = get_wol(interface);
  const std::uint32_t wanted = WAKE_MAGIC | (password ? WAKE_MAGICSECURE : 0u);
  if ((now.supported & wanted) != wanted)
    throw PowerError(interface + ": the NIC cannot wake on " + wol_mode_letters(wanted) + " (supports " +
                     wol_mode_letters(now.supported) + ")");
  if ((now.enabled & wanted) == wanted && !password) return now;
  set_wol(interface, make_set_wol_request(now.enabled | WAKE_MAGIC, password));
  const WolSettings after = get_wol(interface);
  spdlog::info("power: Wake-on-LAN on {}: {} -> {}", interface, wol_mode_letters(now.enabled),
               wol_mode_letters(after.enabled));
  return after;
}

}  // namespace jettison::emu
