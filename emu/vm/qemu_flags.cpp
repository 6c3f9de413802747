#include "emu/vm/qemu_flags.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "common/input_error.hpp"
#include "common/units.hpp"

namespace jettison::emu {

Accel parse_accel(const std::string& text, std::string_view flag) {
  if (text == "kvm") return Accel::kKvm;
  if (text == "tcg") return Accel::kTcg;
  if (text == "auto") return Accel::kAuto;
  throw InputError(std::string(flag), fmt::format("'{}' is not auto, kvm or tcg", text));
}

std::uint64_t parse_guest_ram(const std::string& text, std::string_view flag) {
  std::uint64_t bytes = 0;
  try {
    bytes = parse_bytes(text).count();
  } catch (const std::exception& e) {
    throw InputError(std::string(flag), e.what());
  }
  if (bytes == 0 || bytes % (std::uint64_t{1} << 20) != 0)
    throw InputError(std::string(flag), fmt::format("'{}' must be a positive whole number of MiB", text));
  return bytes;
}

std::vector<std::string> shared_disk_args(const std::string& path, std::string_view flag) {
  if (path.find(',') != std::string::npos)
    throw InputError(std::string(flag), fmt::format("'{}': QEMU cannot take a comma in a path", path));
  return {"-drive", fmt::format("file={},if=virtio,format=raw,cache=none,aio=threads",
                                std::filesystem::absolute(path).string())};
}

}  // namespace jettison::emu
