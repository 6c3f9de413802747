// Wake-on-LAN magic packets: 6 x 0xFF, then the target MAC 16 times, then an optional SecureOn
// password of 4 or 6 bytes. The same bytes travel as a UDP payload or as an EtherType 0x0842 frame.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "emu/power/mac_address.hpp"

namespace jettison::emu {

inline constexpr std::size_t kMagicSyncSize = 6;
inline constexpr std::size_t kMagicRepetitions = 16;
inline constexpr std::size_t kMagicBaseSize = kMagicSyncSize + kMagicRepetitions * MacAddress::kSize;  // 102
inline constexpr std::uint16_t kWolEtherType = 0x0842;
inline constexpr std::uint16_t kWolDefaultPort = 9;

struct MagicPacket {
  MacAddress mac;
  std::optional<SecureOnPassword> password;
};

std::vector<std::uint8_t> build_magic_packet(const MacAddress& mac,
                                             const std::optional<SecureOnPassword>& password = {});

enum class MagicPacketError {
  kBadLength,    // not 102, 106 or 108 bytes
  kBadSync,      // the first 6 bytes are not all 0xFF
  kMacMismatch,  // a repetition differs from the first
};

// Either a packet or why the bytes are not one (`reason` names the offending offset or size).
struct MagicPacketParse {
  std::optional<MagicPacket> packet;
  MagicPacketError error = MagicPacketError::kBadLength;
  std::string reason;
  bool ok() const { return packet.has_value(); }
};

MagicPacketParse parse_magic_packet(std::span<const std::uint8_t> bytes);

// Whether `bytes` wake the NIC with address `mac`: nullopt if so, else why not. With `password`
// set, the packet must carry exactly that password; without, any password (or none) is accepted,
// as a NIC without SecureOn still matches the MAC pattern.
std::optional<std::string> magic_packet_rejection(std::span<const std::uint8_t> bytes, const MacAddress& mac,
                                                  const std::optional<SecureOnPassword>& password);

}  // namespace jettison::emu
