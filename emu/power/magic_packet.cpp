#include "emu/power/magic_packet.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace jettison::emu {

std::vector<std::uint8_t> build_magic_packet(const MacAddress& mac,
                                             const std::optional<SecureOnPassword>& password) {
  std::vector<std::uint8_t> out(kMagicSyncSize, 0xff);
  out.reserve(kMagicBaseSize + 6);
  for (std::size_t i = 0; i < kMagicRepetitions; ++i)
    out.insert(out.end(), mac.bytes().begin(), mac.bytes().end());
  if (password) out.insert(out.end(), password->bytes().begin(), password->bytes().end());
  return out;
}

MagicPacketParse parse_magic_packet(std::span<const std::uint8_t> bytes) {
  MagicPacketParse r;
  const std::size_t n = bytes.size();
  if (n != kMagicBaseSize && n != kMagicBaseSize + 4 && n != kMagicBaseSize + 6) {
    r.error = MagicPacketError::kBadLength;
    r.reason = fmt::format("{} bytes; a magic packet has {}, {} or {} (with a SecureOn password)", n,
                           kMagicBaseSize, kMagicBaseSize + 4, kMagicBaseSize + 6);
    return r;
  }
  for (std::size_t i = 0; i < kMagicSyncSize; ++i) {
    if (bytes[i] != 0xff) {
      r.error = MagicPacketError::kBadSync;
      r.reason = fmt::format("sync byte {} is 0x{:02x}, not 0xff", i, bytes[i]);
      return r;
    }
  }
  const auto first = bytes.subspan(kMagicSyncSize, MacAddress::kSize);
  for (std::size_t rep = 1; rep < kMagicRepetitions; ++rep) {
    const auto copy = bytes.subspan(kMagicSyncSize + rep * MacAddress::kSize, MacAddress::kSize);
    if (!std::equal(first.begin(), first.end(), copy.begin())) {
      r.error = MagicPacketError::kMacMismatch;
      r.reason = fmt::format("MAC repetition {} of {} differs from the first", rep + 1, kMagicRepetitions);
      return r;
    }
  }
  std::array<std::uint8_t, MacAddress::kSize> mac{};
  std::copy(first.begin(), first.end(), mac.begin());
  MagicPacket p{MacAddress(mac), std::nullopt};
  if (n > kMagicBaseSize) p.password = SecureOnPassword::from_bytes(bytes.subspan(kMagicBaseSize));
  r.packet = std::move(p);
  return r;
}

std::optional<std::string> magic_packet_rejection(std::span<const std::uint8_t> bytes, const MacAddress& mac,
                                                  const std::optional<SecureOnPassword>& password) {
  const MagicPacketParse parsed = parse_magic_packet(bytes);
  if (!parsed.ok()) return "not a magic packet: " + parsed.reason;
  if (parsed.packet->mac != mac)
    return fmt::format("magic packet for {}, not {}", parsed.packet->mac.to_string(), mac.to_string());
  if (password && parsed.packet->password != password)
    return parsed.packet->password ? std::string("wrong SecureOn password")
                                   : std::string("no SecureOn password");
  return std::nullopt;
}

}  // namespace jettison::emu
