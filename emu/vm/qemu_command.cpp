// Builds qemu-system-x86_64's argv from a QemuVmSpec, picks the accelerator, finds the binary.
#include "emu/vm/qemu_command.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>

#include "emu/sys/unique_fd.hpp"
#include "emu/vm/qemu_error.hpp"

namespace jettison::emu {
namespace {

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
constexpr int kKvmApiVersion = 12;

// A path QEMU's option parser can take whole: a comma would split it (and "file:" chardevs and
// -qmp unix: specs have no escape for it), so a path with one is refused, naming the field.
std::string checked_path(const std::filesystem::path& p, std::string_view field, const std::string& vm) {
  const std::string s = p.string();
  if (s.find(',') != std::string::npos)
    throw QemuError(
        fmt::format("VM '{}': {} '{}' contains a comma, which QEMU options cannot carry", vm, field, s));
  return s;
}

std::string ram_object(const RamBacking& r, const std::string& vm) {
  if (r.bytes == 0 || r.bytes % kMiB != 0)
    throw QemuError(
        fmt::format("VM '{}': RAM block '{}' of {} bytes is not a whole number of MiB", vm, r.id, r.bytes));
  if (r.file.empty())
    return fmt::format("memory-backend-memfd,id={},size={}M,share=on", r.id, r.bytes / kMiB);
  return fmt::format("memory-backend-file,id={},size={}M,mem-path={},share=on", r.id, r.bytes / kMiB,
                     checked_path(r.file, "RAM file", vm));
}

}  // namespace

bool hardware_kvm_loaded(const std::filesystem::path& modules) {
  std::error_code ec;
  return std::filesystem::exists(modules / "kvm_intel", ec) ||
         std::filesystem::exists(modules / "kvm_amd", ec);
}

bool kvm_usable() {
  UniqueFd kvm(::open("/dev/kvm", O_RDWR | O_CLOEXEC));
  if (!kvm) return false;
  if (::ioctl(kvm.get(), KVM_GET_API_VERSION, 0) != kKvmApiVersion) return false;
  return hardware_kvm_loaded("/sys/module");
}

std::string_view chosen_accel(Accel requested, bool kvm_is_usable) {
  switch (requested) {
    case Accel::kTcg:
      return "tcg";
    case Accel::kKvm:
      if (!kvm_is_usable)
        throw QemuError(
            "accel kvm was asked for, but /dev/kvm is missing or unusable (use accel auto or tcg)");
      return "kvm";
    case Accel::kAuto:
      break;
  }
  return kvm_is_usable ? "kvm" : "tcg";
}

std::vector<std::string> qemu_argv(const QemuVmSpec& spec, std::string_view accel) {
  const std::string& vm = spec.name;
  if (vm.empty() || vm.find(',') != std::string::npos)
    throw QemuError(fmt::format("VM name '{}' must be non-empty and without commas", vm));
  if (spec.vcpus == 0) throw QemuError(fmt::format("VM '{}': vcpus must be at least 1", vm));
  if (spec.qmp_socket.empty()) throw QemuError(fmt::format("VM '{}': no QMP socket path", vm));
  if (spec.kernel.empty() && (!spec.initrd.empty() || !spec.append.empty()))
    throw QemuError(fmt::format("VM '{}': an initrd or kernel command line needs a kernel", vm));

  std::uint64_t total = spec.ram_bytes;
  for (const auto& r : spec.extra_ram) total += r.bytes;
  std::vector<std::string> a = {"-name",       vm,
                                "-nodefaults", "-display",
                                "none",        "-vga",
                                "none",        "-nic",
                                "none",        "-no-reboot",
                                "-accel",      std::string(accel),
                                "-smp",        std::to_string(spec.vcpus)};
  a.insert(a.end(), {"-m", fmt::format("{}M", total / kMiB)});

  a.insert(a.end(), {"-object", ram_object({std::string(kMainRamId), spec.ram_bytes, spec.ram_file}, vm)});
  if (spec.extra_ram.empty()) {
    a.insert(a.end(), {"-machine", fmt::format("pc,memory-backend={}", kMainRamId)});
  } else {
    a.insert(a.end(), {"-machine", "pc", "-numa", fmt::format("node,nodeid=0,memdev={}", kMainRamId)});
    unsigned node = 1;
    for (const auto& r : spec.extra_ram) {
      if (r.id.empty() || r.id == kMainRamId)
        throw QemuError(fmt::format("VM '{}': extra RAM block {} needs an id of its own", vm, node));
      a.insert(a.end(), {"-object", ram_object(r, vm), "-numa",
                         fmt::format("node,nodeid={},memdev={}", node++, r.id)});
    }
  }

  if (!spec.kernel.empty()) a.insert(a.end(), {"-kernel", checked_path(spec.kernel, "kernel", vm)});
  if (!spec.initrd.empty()) a.insert(a.end(), {"-initrd", checked_path(spec.initrd, "initrd", vm)});
  if (!spec.append.empty()) a.insert(a.end(), {"-append", spec.append});
  if (!spec.serial_log.empty())
    // Appended, not truncated: a VM that comes back runs in a new QEMU over the same log, and its
    // console history (the heartbeat across every move) stays whole.
    a.insert(a.end(),
             {"-chardev",
              "file,id=jettison-serial,append=on,path=" + checked_path(spec.serial_log, "serial log", vm),
              "-serial", "chardev:jettison-serial"});
  a.insert(a.end(), {"-qmp", fmt::format("unix:{},server=on,wait=off",
                                         checked_path(spec.qmp_socket, "QMP socket", vm))});
  if (spec.incoming == Incoming::kDefer) a.insert(a.end(), {"-incoming", "defer"});
  a.insert(a.end(), spec.extra_args.begin(), spec.extra_args.end());
  return a;
}

std::vector<std::string> qemu_argv(const QemuVmSpec& spec) {
  return qemu_argv(spec, chosen_accel(spec.accel, kvm_usable()));
}

std::filesystem::path find_qemu(const char* path_env) {
  constexpr std::string_view kBinary = "qemu-system-x86_64";
  std::string_view rest = path_env ? path_env : "";
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const std::string_view dir = rest.substr(0, colon);
    const std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / kBinary;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  throw QemuError(
      "qemu-system-x86_64 not found: install qemu-system-x86 (scripts/vm-demo.sh and scripts/test.sh do)");
}

std::filesystem::path find_qemu() { return find_qemu(std::getenv("PATH")); }

}  // namespace jettison::emu
