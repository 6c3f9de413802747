// The desktop's VM record: JSON record and device state files, written atomically.
#include "emu/agent/vm_record.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>

namespace jettison::emu {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, std::string_view what) {
  throw VmRecordError(fmt::format("{}: {}: {}", path.string(), what, std::strerror(errno)));
}

std::optional<VmState> state_named(std::string_view name) {
  for (std::uint32_t s = 0; s <= kMaxVmState; ++s)
    if (name == vm_state_name(static_cast<VmState>(s))) return static_cast<VmState>(s);
  return std::nullopt;
}

std::vector<std::byte> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open");
  std::vector<char> text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) fail(path, "read");
  std::vector<std::byte> out(text.size());
  std::memcpy(out.data(), text.data(), text.size());
  return out;
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail(tmp, "cannot create");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      errno = err;
      fail(tmp, "write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) < 0) {
    const int err = errno;
    ::close(fd);
    errno = err;
    fail(tmp, "fsync");
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) < 0) fail(path, "rename");
  const auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) fail(dir, "open folder");
  const int rc = ::fsync(dfd);
  ::close(dfd);
  if (rc < 0) fail(dir, "fsync folder");
}

VmRecordStore::VmRecordStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

std::filesystem::path VmRecordStore::state_path(std::uint64_t epoch) const {
  return dir_ / fmt::format("state-{}.bin", epoch);
}

std::optional<VmRecord> VmRecordStore::load() const {
  const auto path = record_path();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  const std::vector<std::byte> bytes = read_bytes(path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(reinterpret_cast<const char*>(bytes.data()),
                              reinterpret_cast<const char*>(bytes.data()) + bytes.size());
    VmRecord r;
    const std::string phase = j.at("phase").get<std::string>();
    const auto s = state_named(phase);
    if (!s || *s == VmState::kNone) throw VmRecordError(fmt::format("phase '{}' is not a VM phase", phase));
    r.phase = *s;
    r.epoch = j.at("epoch").get<std::uint64_t>();
    r.user_returned = j.at("user_returned").get<bool>();
    r.migrated_unix_ms = j.value("migrated_unix_ms", std::int64_t{0});
    if (j.contains("ram_generation") && !j.at("ram_generation").is_null())
      r.ram_generation = j.at("ram_generation").get<std::uint64_t>();
    r.backend = j.at("backend").get<std::string>();
    r.pid = j.at("pid").get<int>();
    r.qmp_socket = j.at("qmp_socket").get<std::string>();
    r.ram_file = j.at("ram_file").get<std::string>();
    r.description = j.at("description").get<std::string>();
    r.domain = j.value("domain", std::string());
    r.libvirt_uri = j.value("libvirt_uri", std::string());
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw VmRecordError(fmt::format("{}: not a VM record: {}", path.string(), e.what()));
  } catch (const VmRecordError& e) {
    throw VmRecordError(fmt::format("{}: {}", path.string(), e.what()));
  }
}

void VmRecordStore::save(const VmRecord& r) const {
  std::filesystem::create_directories(dir_);
  nlohmann::json j{
      {"phase", vm_state_name(r.phase)},
      {"epoch", r.epoch},
      {"user_returned", r.user_returned},
      {"migrated_unix_ms", r.migrated_unix_ms},
      {"ram_generation", r.ram_generation ? nlohmann::json(*r.ram_generation) : nlohmann::json()},
      {"backend", r.backend},
      {"pid", r.pid},
      {"qmp_socket", r.qmp_socket.string()},
      {"ram_file", r.ram_file.string()},
      {"description", r.description}};
  if (!r.domain.empty()) j["domain"] = r.domain;
  if (!r.libvirt_uri.empty()) j["libvirt_uri"] = r.libvirt_uri;
  const std::string text = j.dump(2) + "\n";
  write_file_atomically(record_path(), std::as_bytes(std::span(text.data(), text.size())));
}

std::vector<std::byte> VmRecordStore::load_state(std::uint64_t epoch) const {
  return read_bytes(state_path(epoch));
}

bool VmRecordStore::has_state(std::uint64_t epoch) const {
  std::error_code ec;
  return std::filesystem::is_regular_file(state_path(epoch), ec);
}

void VmRecordStore::save_state(std::uint64_t epoch, std::span<const std::byte> sealed) const {
  std::filesystem::create_directories(dir_);
  write_file_atomically(state_path(epoch), sealed);
}

void VmRecordStore::remove_states(std::optional<std::uint64_t> keep) const {
  static const std::regex kName(R"(state-(\d+)\.bin(\.tmp)?)");
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    std::smatch m;
    const std::string name = entry.path().filename().string();
    if (!std::regex_match(name, m, kName)) continue;
    if (keep && !m[2].matched && m[1].str() == std::to_string(*keep)) continue;
    std::filesystem::remove(entry.path(), ec);
  }
}

void VmRecordStore::clear() const {
  remove_states();
  std::error_code ec;
  std::filesystem::remove(record_path(), ec);
}

}  // namespace jettison::emu
