#include "emu/fetch/uffd_handover.hpp"

#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

namespace jettison::emu {
namespace {

constexpr std::array<char, 4> kMagic = {'J', 'U', 'F', 'D'};
constexpr std::size_t kMessageSize = 48;
constexpr std::uint16_t kFlagWriteProtect = 1;
constexpr std::uint16_t kFlagMemfd = 2;
constexpr std::uint16_t kKnownFlags = kFlagWriteProtect | kFlagMemfd;

template <class T>
void put(std::array<std::byte, kMessageSize>& buf, std::size_t at, T value) {
  std::memcpy(buf.data() + at, &value, sizeof value);
}
template <class T>
T get(const std::array<std::byte, kMessageSize>& buf, std::size_t at) {
  T value;
  std::memcpy(&value, buf.data() + at, sizeof value);
  return value;
}

}  // namespace

void send_uffd(int sock, int uffd, const RegionInfo& region, int memfd) {
  std::array<std::byte, kMessageSize> buf{};
  std::memcpy(buf.data(), kMagic.data(), kMagic.size());
  const auto flags = static_cast<std::uint16_t>((region.write_protect ? kFlagWriteProtect : 0) |
                                                (memfd >= 0 ? kFlagMemfd : 0));
  put<std::uint16_t>(buf, 4, kUffdHandoverVersion);
  put<std::uint16_t>(buf, 6, flags);
  put<std::uint32_t>(buf, 8, static_cast<std::uint32_t>(::getpid()));
  put<std::uint32_t>(buf, 12, 0);
  put<std::uint64_t>(buf, 16, region.base);
  put<std::uint64_t>(buf, 24, region.length);
  put<std::uint64_t>(buf, 32, region.page_size);
  put<std::uint64_t>(buf, 40, region.memfd_offset);

  const int fds[2] = {uffd, memfd};
  const std::size_t nfds = memfd >= 0 ? 2 : 1;
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int) * 2)> control{};
  iovec iov{buf.data(), buf.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
  std::memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
  ssize_t n;
  do n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(buf.size()))
    throw UffdError(fmt::format("sending the userfaultfd: {}", n < 0 ? std::strerror(errno) : "short write"));
}

ReceivedUffd receive_uffd(int sock) {
  std::array<std::byte, kMessageSize> buf{};
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int) * 4)> control{};
  iovec iov{buf.data(), buf.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  ssize_t n;
  do n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);
  while (n < 0 && errno == EINTR);
  if (n < 0) throw UffdError(fmt::format("receiving the userfaultfd: {}", std::strerror(errno)));

  std::vector<UniqueFd> fds;  // closed on every error path
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      fds.emplace_back(fd);
    }
  }
  if (n != static_cast<ssize_t>(buf.size()))
    throw UffdError(fmt::format("userfaultfd handover: message of {} bytes, expected {}", n, buf.size()));
  if ((msg.msg_flags & MSG_CTRUNC) != 0) throw UffdError("userfaultfd handover: descriptors truncated");
  if (std::memcmp(buf.data(), kMagic.data(), kMagic.size()) != 0)
    throw UffdError("userfaultfd handover: bad magic (not a Jettison handover message)");
  const auto version = get<std::uint16_t>(buf, 4);
  if (version != kUffdHandoverVersion)
    throw UffdError(
        fmt::format("userfaultfd handover: version {}, this build speaks {}", version, kUffdHandoverVersion));
  const auto flags = get<std::uint16_t>(buf, 6);
  if ((flags & ~kKnownFlags) != 0)
    throw UffdError(fmt::format("userfaultfd handover: unknown flags {:#x}", flags));
  const std::size_t expected_fds = (flags & kFlagMemfd) != 0 ? 2 : 1;
  if (fds.size() != expected_fds)
    throw UffdError(
        fmt::format("userfaultfd handover: {} descriptors attached, expected {}", fds.size(), expected_fds));

  ReceivedUffd out;
  out.owner = static_cast<pid_t>(get<std::uint32_t>(buf, 8));
  out.region.base = get<std::uint64_t>(buf, 16);
  out.region.length = get<std::uint64_t>(buf, 24);
  out.region.page_size = get<std::uint64_t>(buf, 32);
  out.region.memfd_offset = get<std::uint64_t>(buf, 40);
  out.region.write_protect = (flags & kFlagWriteProtect) != 0;
  const RegionInfo& r = out.region;
  if (r.page_size == 0 || (r.page_size & (r.page_size - 1)) != 0 || r.length == 0 ||
      r.base % r.page_size != 0 || r.length % r.page_size != 0)
    throw UffdError(fmt::format("userfaultfd handover: region {:#x}+{} with page size {} is not page aligned",
                                r.base, r.length, r.page_size));
  if (out.owner <= 0) throw UffdError("userfaultfd handover: no owner pid");
  out.uffd = std::move(fds[0]);
  if (expected_fds == 2) out.memfd = std::move(fds[1]);
  return out;
}

}  // namespace jettison::emu
