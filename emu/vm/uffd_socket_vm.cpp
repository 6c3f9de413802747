#include "emu/vm/uffd_socket_vm.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/input_error.hpp"
#include "emu/fetch/uffd_handover.hpp"

namespace jettison::emu {

std::optional<ReceivedUffd> receive_uffd_at(const std::string& path, const std::function<bool()>& stop) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) throw InputError("--uffd-socket", "path too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener) throw std::runtime_error(fmt::format("socket: {}", std::strerror(errno)));
  std::error_code ec;
  if (std::filesystem::is_socket(path, ec)) std::filesystem::remove(path, ec);  // a stale one of ours
  if (::bind(listener.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    throw InputError("--uffd-socket", fmt::format("cannot bind '{}': {}", path, std::strerror(errno)));
  struct Unlink {
    std::string p;
    ~Unlink() { ::unlink(p.c_str()); }
  } unlink_at_end{path};
  if (::listen(listener.get(), 1) != 0)
    throw std::runtime_error(fmt::format("listen: {}", std::strerror(errno)));
  spdlog::info("waiting for a VM to hand its userfaultfd over {}", path);
  while (true) {
    pollfd p{listener.get(), POLLIN, 0};
    const int n = ::poll(&p, 1, 200);
    if (n > 0) break;
    if (n < 0 && errno != EINTR) throw std::runtime_error(fmt::format("poll: {}", std::strerror(errno)));
    if (stop && stop()) return std::nullopt;
  }
  UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!conn) throw std::runtime_error(fmt::format("accept: {}", std::strerror(errno)));
  ReceivedUffd r = receive_uffd(conn.get());
  spdlog::info("received the uffd of pid {}: {} pages of {} bytes", r.owner, r.region.pages(),
               r.region.page_size);
  return r;
}

UffdSocketVm::UffdSocketVm(ReceivedUffd received) : region_(UffdRegion::adopt(std::move(received))) {
  pidfd_ = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, region_.owner(), 0)));
}

void UffdSocketVm::start(std::span<const std::byte> device_state, Duration) {
  if (!device_state.empty()) throw VmError("uffd-socket VM: this backend takes no device state");
}

bool UffdSocketVm::running() const {
  if (!pidfd_) return true;  // cannot watch it: the fetcher notices the owner's exit instead
  pollfd p{pidfd_.get(), POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

std::string UffdSocketVm::ended() const {
  return running() ? std::string() : fmt::format("process {} exited", region_.owner());
}

}  // namespace jettison::emu
