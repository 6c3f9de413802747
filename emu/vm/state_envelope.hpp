// The device state as it travels between desktop and server: QEMU's migration stream (device state
// only, RAM excluded) behind a small header carrying the VM's description, so the receiving side can
// build the same virtual machine before loading the stream.
//
//   "JVMS" | u32 version = 1 | u32 description length (<= 64 KiB) | u32 reserved (0)
//   | description (UTF-8 JSON) | stream (the rest)
// Integers little-endian. open_state() checks every field against the bytes present.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace jettison::emu {

inline constexpr std::size_t kMaxDescriptionBytes = 64 * 1024;

std::vector<std::byte> seal_state(std::string_view description, std::span<const std::byte> stream);

struct OpenedState {
  std::string description;
  std::span<const std::byte> stream;  // a view into the sealed bytes
};
// Throws VmError naming what is wrong.
OpenedState open_state(std::span<const std::byte> sealed);

}  // namespace jettison::emu
