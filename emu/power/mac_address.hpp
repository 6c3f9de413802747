// A 48-bit Ethernet address and a SecureOn password (4 or 6 bytes), parsed from and printed as text.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace jettison::emu {

class MacAddress {
 public:
  static constexpr std::size_t kSize = 6;
  constexpr MacAddress() = default;
  constexpr explicit MacAddress(std::array<std::uint8_t, kSize> bytes) : bytes_(bytes) {}
  // "52:54:00:12:34:56" or "52-54-00-12-34-56" (hex, either case); nullopt otherwise.
  static std::optional<MacAddress> parse(std::string_view text);
  static constexpr MacAddress broadcast() { return MacAddress({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}); }

  const std::array<std::uint8_t, kSize>& bytes() const { return bytes_; }
  std::string to_string() const;  // lower-case, colon separated
  auto operator<=>(const MacAddress&) const = default;

 private:
  std::array<std::uint8_t, kSize> bytes_{};
};

// The SecureOn password appended to a magic packet: 4 or 6 bytes.
class SecureOnPassword {
 public:
  // nullopt unless `bytes` holds 4 or 6 bytes.
  static std::optional<SecureOnPassword> from_bytes(std::span<const std::uint8_t> bytes);
  // "aa:bb:cc:dd:ee:ff", "aa:bb:cc:dd" (hex) or "192.168.1.2" (4 decimal bytes, ether-wake style).
  static std::optional<SecureOnPassword> parse(std::string_view text);

  const std::vector<std::uint8_t>& bytes() const { return bytes_; }
  std::size_t size() const { return bytes_.size(); }
  std::string to_string() const;  // hex, colon separated
  bool operator==(const SecureOnPassword&) const = default;

 private:
  explicit SecureOnPassword(std::vector<std::uint8_t> b) : bytes_(std::move(b)) {}
  std::vector<std::uint8_t> bytes_;
};

}  // namespace jettison::emu
