// QEMU's device state as bytes in this process, both ways, over a UNIX socket of our own (the
// `unix:` migration URI works under libvirt's sandbox too, where `exec:` does not):
//
//   save_device_state()  x-ignore-shared on, migrate to a socket we listen on, read the stream to its
//                        end; the guest is paused afterwards (postmigrate). Only device state and the
//                        small ROM blocks travel: the RAM is in the shared file.
//   load_device_state()  on a QEMU started with -incoming defer over the same RAM: x-ignore-shared on,
//                        migrate-incoming on a socket, the stream written to it; then the guest runs
//                        (`cont` when the state was saved from a paused guest).
// Bounded: a stream over kMaxDeviceStateBytes is an error, never buffered.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <vector>

#include "common/time.hpp"
#include "emu/vm/qemu_migration.hpp"
#include "emu/vm/qmp_client.hpp"

namespace jettison::emu {

inline constexpr std::size_t kMaxDeviceStateBytes = std::size_t{256} << 20;

// VmError naming the step (and QEMU's error) on failure. `result` receives QEMU's figures.
std::vector<std::byte> save_device_state(QmpClient& qmp, const std::filesystem::path& socket,
                                         Duration timeout, MigrationResult* result = nullptr);
void load_device_state(QmpClient& qmp, const std::filesystem::path& socket, std::span<const std::byte> stream,
                       Duration timeout);

}  // namespace jettison::emu
