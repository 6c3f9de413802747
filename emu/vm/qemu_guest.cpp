#include "emu/vm/qemu_guest.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "emu/sys/unique_fd.hpp"
#include "emu/vm/hosted_vm.hpp"

namespace jettison::emu {

std::string describe_guest(const QemuVmSpec& spec) {
  nlohmann::json j{{"name", spec.name},
                   {"ram_bytes", spec.ram_bytes},
                   {"vcpus", spec.vcpus},
                   {"kernel", spec.kernel.string()},
                   {"initrd", spec.initrd.string()},
                   {"append", spec.append},
                   {"extra_args", spec.extra_args}};
  return j.dump();
}

QemuVmSpec guest_from_description(const std::string& description) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(description);
  } catch (const std::exception& e) {
    throw VmError(fmt::format("VM description: not JSON: {}", e.what()));
  }
  if (!j.is_object()) throw VmError("VM description: not a JSON object");
  QemuVmSpec s;
  auto field = [&](const char* key) -> const nlohmann::json& {
    if (!j.contains(key)) throw VmError(fmt::format("VM description: missing '{}'", key));
    return j.at(key);
  };
  try {
    s.name = field("name").get<std::string>();
    s.ram_bytes = field("ram_bytes").get<std::uint64_t>();
    s.vcpus = field("vcpus").get<unsigned>();
    s.kernel = field("kernel").get<std::string>();
    s.initrd = field("initrd").get<std::string>();
    s.append = field("append").get<std::string>();
    s.extra_args = field("extra_args").get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    throw VmError(fmt::format("VM description: {}", e.what()));
  }
  return s;
}

void require_shared_memory(const std::filesystem::path& dir) {
  struct statfs fs {};
  if (::statfs(dir.c_str(), &fs) != 0)
    throw VmError(fmt::format("RAM folder '{}': {}", dir.string(), std::strerror(errno)));
  if (static_cast<unsigned long>(fs.f_type) != TMPFS_MAGIC)
    throw VmError(
        fmt::format("RAM folder '{}' is not in shared memory (tmpfs): guest RAM must be there so it "
                    "can be served and handed to userfaultfd; use a folder under /dev/shm",
                    dir.string()));
}

void create_ram_file(const std::filesystem::path& file, std::uint64_t bytes) {
  require_shared_memory(file.parent_path());
  UniqueFd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) throw VmError(fmt::format("RAM file '{}': {}", file.string(), std::strerror(errno)));
  if (::ftruncate(fd.get(), static_cast<off_t>(bytes)) != 0)
    throw VmError(fmt::format("RAM file '{}': cannot size it to {} bytes: {}", file.string(), bytes,
                              std::strerror(errno)));
}

}  // namespace jettison::emu
