#include "emu/vm/device_state_io.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "emu/sys/unique_fd.hpp"
#include "emu/vm/hosted_vm.hpp"

namespace jettison::emu {
namespace {

using Clock = std::chrono::steady_clock;

sockaddr_un address_of(const std::filesystem::path& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  const std::string s = path.string();
  if (s.size() >= sizeof a.sun_path) throw VmError(fmt::format("socket path '{}' is too long", s));
  std::memcpy(a.sun_path, s.c_str(), s.size() + 1);
  return a;
}

Clock::time_point deadline_after(Duration d) { return Clock::now() + std::chrono::microseconds(d.us()); }

int millis_left(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 200));
}

}  // namespace

std::vector<std::byte> save_device_state(QmpClient& qmp, const std::filesystem::path& socket,
                                         Duration timeout, MigrationResult* result) {
  const sockaddr_un addr = address_of(socket);
  UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener) throw VmError(fmt::format("socket: {}", std::strerror(errno)));
  std::filesystem::remove(socket);
  if (::bind(listener.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener.get(), 1) != 0)
    throw VmError(fmt::format("listening on '{}': {}", socket.string(), std::strerror(errno)));
  struct Unlink {
    std::filesystem::path p;
    ~Unlink() {
      std::error_code ec;
      std::filesystem::remove(p, ec);
    }
  } unlink_at_end{socket};

  set_capabilities(qmp, {{"x-ignore-shared", true}});
  start_migration(qmp, "unix:" + socket.string());
  const auto deadline = deadline_after(timeout);
  UniqueFd conn;
  while (!conn) {
    pollfd p{listener.get(), POLLIN, 0};
    const int n = ::poll(&p, 1, millis_left(deadline));
    if (n > 0) conn = UniqueFd(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (Clock::now() >= deadline && !conn) throw VmError("saving device state: QEMU did not connect in time");
  }
  std::vector<std::byte> stream;
  std::byte buf[64 * 1024];
  while (true) {
    pollfd p{conn.get(), POLLIN, 0};
    if (::poll(&p, 1, millis_left(deadline)) <= 0) {
      if (Clock::now() >= deadline) throw VmError("saving device state: the stream did not end in time");
      continue;
    }
    const ssize_t n = ::read(conn.get(), buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw VmError(fmt::format("saving device state: read: {}", std::strerror(errno)));
    }
    if (stream.size() + static_cast<std::size_t>(n) > kMaxDeviceStateBytes)
      throw VmError(fmt::format("saving device state: more than {} bytes (is the RAM really shared?)",
                                kMaxDeviceStateBytes));
    stream.insert(stream.end(), buf, buf + n);
  }
  const MigrationResult r = wait_migration(qmp, timeout);
  if (result) *result = r;
  if (!r.completed())
    throw VmError(fmt::format("saving device state: migration {}: {}", r.status, r.error_desc));
  return stream;
}

void load_device_state(QmpClient& qmp, const std::filesystem::path& socket, std::span<const std::byte> stream,
                       Duration timeout) {
  const sockaddr_un addr = address_of(socket);
  std::error_code ec;
  std::filesystem::remove(socket, ec);
  set_capabilities(qmp, {{"x-ignore-shared", true}});
  migrate_incoming(qmp, "unix:" + socket.string());
  const auto deadline = deadline_after(timeout);
  UniqueFd conn;
  while (true) {
    conn = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (::connect(conn.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) break;
    if (Clock::now() >= deadline)
      throw VmError(fmt::format("loading device state: cannot connect to '{}': {}", socket.string(),
                                std::strerror(errno)));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::size_t done = 0;
  while (done < stream.size()) {
    const ssize_t n = ::send(conn.get(), stream.data() + done, stream.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw VmError(fmt::format("loading device state: QEMU stopped reading after {} of {} bytes: {}", done,
                                stream.size(), std::strerror(errno)));
    }
    done += static_cast<std::size_t>(n);
  }
  conn.reset();
  std::filesystem::remove(socket, ec);
  // Incoming is done once the run state leaves "inmigrate".
  std::string status;
  while ((status = query_status(qmp)) == "inmigrate") {
    if (Clock::now() >= deadline) throw VmError("loading device state: QEMU still loading at the deadline");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (status != "running") {
    if (status == "paused" || status == "postmigrate" || status == "prelaunch") {
      qmp.execute("cont");
    } else {
      throw VmError(fmt::format("loading device state: QEMU is '{}' after the stream (see its log)", status));
    }
  }
  wait_running(qmp, timeout);
}

}  // namespace jettison::emu
