// The desktop's VM record in its --vm-dir: what a restarted agent needs to adopt the VM an earlier
// agent left behind (killed, crashed, stopped while the VM was away) instead of booting a new one.
//
//   vm.json            phase, epoch, user_returned, the backend ("qemu" or "libvirt"), the QEMU
//                      process (pid, QMP socket) or the libvirt domain (name, the daemon's URI), RAM
//                      file and description, rewritten at every transition
//   state-<epoch>.bin  the sealed device state of that migration, written before the phase becomes
//                      remote: with the RAM file it is the VM, whatever becomes of the QEMU process
//
// Every write is atomic (a temporary file in the same folder, fsync, rename, fsync of the folder):
// a reader sees the old file or the new one, never half of one. Errors name the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "emu/wire/vm_status.hpp"

namespace jettison::emu {

// A record that cannot be read, written or used; the message names the file.
class VmRecordError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct VmRecord {
  VmState phase = VmState::kRunningLocal;
  std::uint64_t epoch = 0;
  bool user_returned = false;
  std::int64_t migrated_unix_ms = 0;            // when the epoch's device state was saved (0: never)
  std::optional<std::uint64_t> ram_generation;  // the RAM file's write-back generation at migration
  std::string backend;                          // "qemu" or "libvirt"
  int pid = -1;                                 // the process running the VM (-1: none, or libvirt's)
  std::filesystem::path qmp_socket;             // its control socket
  std::string domain;                           // libvirt: the domain's name (empty for QEMU)
  std::string libvirt_uri;                      // libvirt: the daemon's URI
  std::filesystem::path ram_file;
  std::string description;  // the VM's description (as it travels with its state)
};

class VmRecordStore {
 public:
  explicit VmRecordStore(std::filesystem::path dir);

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path record_path() const { return dir_ / "vm.json"; }
  std::filesystem::path state_path(std::uint64_t epoch) const;

  // The record, or nullopt when there is none; VmRecordError naming the file when it is unreadable.
  std::optional<VmRecord> load() const;
  void save(const VmRecord& record) const;
  // The sealed device state of `epoch`; VmRecordError naming the file when it is missing or unreadable.
  std::vector<std::byte> load_state(std::uint64_t epoch) const;
  bool has_state(std::uint64_t epoch) const;
  void save_state(std::uint64_t epoch, std::span<const std::byte> sealed) const;
  // Removes every state file but `keep`'s (none: all of them).
  void remove_states(std::optional<std::uint64_t> keep = std::nullopt) const;
  // Removes the record and every state file (the VM was stopped for good).
  void clear() const;

 private:
  std::filesystem::path dir_;
};

// Writes `bytes` to `path` atomically (temporary file, fsync, rename, fsync of the folder);
// VmRecordError naming the file on failure.
void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes);

}  // namespace jettison::emu
