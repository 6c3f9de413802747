// Wake-on-LAN settings of a NIC through ioctl(SIOCETHTOOL): ETHTOOL_GWOL reads them, ETHTOOL_SWOL
// sets them. The request builders are separate so the structs can be checked without a NIC.
#pragma once

#include <linux/ethtool.h>

#include <cstdint>
#include <optional>
#include <string>

#include "emu/power/mac_address.hpp"

namespace jettison::emu {

struct WolSettings {
  std::uint32_t supported = 0;  // WAKE_* bits the NIC can do
  std::uint32_t enabled = 0;    // WAKE_* bits now on
};

ethtool_wolinfo make_get_wol_request();
// ETHTOOL_SWOL enabling `wake_modes`. With a password, WAKE_MAGICSECURE is added and the password
// (6 bytes: the NIC's SecureOn field) is set; a 4-byte password throws PowerError.
ethtool_wolinfo make_set_wol_request(std::uint32_t wake_modes,
                                     const std::optional<SecureOnPassword>& password = {});

// ethtool's letters for WAKE_* bits ("g" for magic, "gs" magic + SecureOn, "d" for none).
std::string wol_mode_letters(std::uint32_t modes);

// Both throw PowerError naming the interface; EOPNOTSUPP becomes "the driver of <if> does not
// support Wake-on-LAN", EPERM asks for CAP_NET_ADMIN.
WolSettings get_wol(const std::string& interface);
void set_wol(const std::string& interface, const ethtool_wolinfo& request);

// Reads the settings, checks the NIC can wake on magic packets, and enables that mode (keeping the
// modes already on). Returns the settings now in force.
WolSettings enable_magic_wol(const std::string& interface,
                             const std::optional<SecureOnPassword>& password = {});

}  // namespace jettison::emu
