#include "emu/vm/state_envelope.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <cstring>

#include "emu/vm/hosted_vm.hpp"

namespace jettison::emu {
namespace {

constexpr char kMagic[4] = {'J', 'V', 'M', 'S'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHeader = 16;

void put32(std::byte* at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) at[i] = static_cast<std::byte>((v >> (8 * i)) & 0xFFu);
}
std::uint32_t get32(const std::byte* at) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(at[i]) << (8 * i);
  return v;
}

}  // namespace

std::vector<std::byte> seal_state(std::string_view description, std::span<const std::byte> stream) {
  if (description.size() > kMaxDescriptionBytes)
    throw VmError(
        fmt::format("VM description of {} bytes exceeds {}", description.size(), kMaxDescriptionBytes));
  std::vector<std::byte> out(kHeader + description.size() + stream.size());
  std::memcpy(out.data(), kMagic, 4);
  put32(out.data() + 4, kVersion);
  put32(out.data() + 8, static_cast<std::uint32_t>(description.size()));
  put32(out.data() + 12, 0);
  std::memcpy(out.data() + kHeader, description.data(), description.size());
  if (!stream.empty()) std::memcpy(out.data() + kHeader + description.size(), stream.data(), stream.size());
  return out;
}

OpenedState open_state(std::span<const std::byte> sealed) {
  if (sealed.size() < kHeader)
    throw VmError(
        fmt::format("device state: {} bytes, shorter than its {}-byte header", sealed.size(), kHeader));
  if (std::memcmp(sealed.data(), kMagic, 4) != 0)
    throw VmError("device state: bad magic (not a Jettison state)");
  if (const std::uint32_t v = get32(sealed.data() + 4); v != kVersion)
    throw VmError(fmt::format("device state: version {} (this build reads {})", v, kVersion));
  const std::uint32_t len = get32(sealed.data() + 8);
  if (len > kMaxDescriptionBytes || len > sealed.size() - kHeader)
    throw VmError(fmt::format("device state: description length {} does not fit", len));
  if (get32(sealed.data() + 12) != 0) throw VmError("device state: reserved field is not zero");
  OpenedState o;
  o.description.assign(reinterpret_cast<const char*>(sealed.data() + kHeader), len);
  o.stream = sealed.subspan(kHeader + len);
  return o;
}

}  // namespace jettison::emu
