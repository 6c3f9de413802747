// What a QEMU guest is made of (QemuVmSpec) and the qemu-system-x86_64 command line that runs it:
// guest RAM in a shared memory file, no default devices, no display, no network, serial console to a
// file, QMP on a UNIX socket, KVM where /dev/kvm is usable and TCG otherwise.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace jettison::emu {

enum class Accel { kAuto, kKvm, kTcg };
enum class Incoming { kNone, kDefer };

// One guest RAM block backed by a shared file (in /dev/shm) or, with an empty path, by a memfd.
struct RamBacking {
  std::string id;
  std::uint64_t bytes = 0;
  std::filesystem::path file;
};

struct QemuVmSpec {
  std::string name;
  std::uint64_t ram_bytes = 0;     // a whole number of MiB
  std::filesystem::path ram_file;  // shared RAM file (e.g. /dev/shm/<vm>.ram); empty: a memfd
  unsigned vcpus = 1;
  std::filesystem::path kernel;  // empty: firmware only
  std::filesystem::path initrd;
  std::string append;  // kernel command line
  Accel accel = Accel::kAuto;
  std::filesystem::path serial_log;  // guest serial console; empty: none
  std::filesystem::path qmp_socket;
  Incoming incoming = Incoming::kNone;
  std::vector<std::string> extra_args;  // more -object/-device pairs, passed verbatim at the end
  // More RAM blocks: with any, the guest gets one NUMA node per block (node 0 is the main RAM).
  std::vector<RamBacking> extra_ram;
};

// The id of the main RAM backend in the argv (what the hand-off library and QMP see).
inline constexpr std::string_view kMainRamId = "jettison-ram";

// True when /dev/kvm opens read-write, reports KVM API version 12, and a hardware KVM module
// (kvm_intel or kvm_amd) is loaded: a /dev/kvm from another flavour (e.g. kvm_pvm, which runs only
// guests built for it) cannot run our plain guests, so auto falls back to TCG there.
bool kvm_usable();
// Whether `modules` (normally /sys/module) lists kvm_intel or kvm_amd.
bool hardware_kvm_loaded(const std::filesystem::path& modules);

// "kvm" or "tcg" for `requested`; auto picks kvm when usable. Asking for kvm without it is a QemuError.
std::string_view chosen_accel(Accel requested, bool kvm_is_usable);

// The arguments after the binary, with the accelerator already chosen ("kvm" or "tcg"). Checks the
// spec (name, RAM size, QMP socket, no commas in paths) and throws QemuError naming the field.
std::vector<std::string> qemu_argv(const QemuVmSpec& spec, std::string_view accel);
// The same with chosen_accel(spec.accel, kvm_usable()).
std::vector<std::string> qemu_argv(const QemuVmSpec& spec);

// qemu-system-x86_64 found on `path_env` (a PATH-style list); QemuError saying how to install it.
std::filesystem::path find_qemu(const char* path_env);
std::filesystem::path find_qemu();  // on $PATH

}  // namespace jettison::emu
