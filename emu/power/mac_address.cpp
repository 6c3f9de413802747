#include "emu/power/mac_address.hpp"

#include <fmt/format.h>

#include <charconv>

namespace jettison::emu {
namespace {

// Splits `text` at `sep` into exactly `n` parts of 1-2 hex digits each (or decimal 0-255).
std::optional<std::vector<std::uint8_t>> parse_bytes(std::string_view text, char sep, std::size_t n,
                                                     int base) {
  std::vector<std::uint8_t> out;
  std::size_t pos = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t end = (i + 1 == n) ? text.size() : text.find(sep, pos);
    if (end == std::string_view::npos || end == pos) return std::nullopt;
    const std::string_view part = text.substr(pos, end - pos);
    if (part.size() > (base == 16 ? 2u : 3u)) return std::nullopt;
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value, base);
    if (ec != std::errc{} || ptr != part.data() + part.size() || value > 255) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(value));
    pos = end + 1;
  }
  return out;
}

std::string hex_join(std::span<const std::uint8_t> bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) out += fmt::format("{}{:02x}", i ? ":" : "", bytes[i]);
  return out;
}

}  // namespace

std::optional<MacAddress> MacAddress::parse(std::string_view text) {
  if (text.size() != 17) return std::nullopt;
  const char sep = text[2];
  if (sep != ':' && sep != '-') return std::nullopt;
  const auto bytes = parse_bytes(text, sep, kSize, 16);
  if (!bytes) return std::nullopt;
  std::array<std::uint8_t, kSize> a{};
  std::copy(bytes->begin(), bytes->end(), a.begin());
  return MacAddress(a);
}

std::string MacAddress::to_string() const { return hex_join(bytes_); }

std::optional<SecureOnPassword> SecureOnPassword::from_bytes(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != 4 && bytes.size() != 6) return std::nullopt;
  return SecureOnPassword(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

std::optional<SecureOnPassword> SecureOnPassword::parse(std::string_view text) {
  if (text.find('.') != std::string_view::npos) {
    if (auto b = parse_bytes(text, '.', 4, 10)) return SecureOnPassword(std::move(*b));
    return std::nullopt;
  }
  for (std::size_t n : {6u, 4u}) {
    if (text.size() != n * 3 - 1) continue;
    if (auto b = parse_bytes(text, ':', n, 16)) return SecureOnPassword(std::move(*b));
  }
  return std::nullopt;
}

std::string SecureOnPassword::to_string() const { return hex_join(bytes_); }

}  // namespace jettison::emu
