// What the QEMU tools (jettison-desktop, jettison-server, jettison-baseline) read from their flags
// alike: the accelerator, the guest's RAM size and a shared root disk. Each error is an InputError
// naming the flag given.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "emu/vm/qemu_command.hpp"

namespace jettison::emu {

// "auto", "kvm" or "tcg".
Accel parse_accel(const std::string& text, std::string_view flag);
// A size with its unit ("512MiB"), a positive whole number of MiB; in bytes.
std::uint64_t parse_guest_ram(const std::string& text, std::string_view flag);
// The -drive arguments of a raw root disk both QEMUs of a migration open (shared storage: it is not
// migrated). The caller checks the file exists; this refuses a path QEMU cannot take (a comma).
std::vector<std::string> shared_disk_args(const std::string& path, std::string_view flag);

}  // namespace jettison::emu
