// What both sides share about a QEMU guest: its description as it travels with the device state
// (JSON: name, RAM, vCPUs, kernel, initrd, command line, extra arguments), and the checks on its RAM
// file (it must be in shared memory: tmpfs, e.g. /dev/shm; the kernel refuses userfaultfd on files
// of disk file systems).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "emu/vm/qemu_command.hpp"

namespace jettison::emu {

// The parts of `spec` the other side needs to build the same virtual machine.
std::string describe_guest(const QemuVmSpec& spec);
// The reverse: a spec with those parts set (paths, sockets and incoming left to the caller). VmError
// naming the key for a bad description.
QemuVmSpec guest_from_description(const std::string& description);

// VmError unless `dir` is on tmpfs (shared memory) and can take the file.
void require_shared_memory(const std::filesystem::path& dir);
// Creates (or resizes) `file` to `bytes`, on tmpfs; VmError on failure.
void create_ram_file(const std::filesystem::path& file, std::uint64_t bytes);

}  // namespace jettison::emu
