#include "emu/fetch/uffd_handover.hpp"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "emu/fetch/uffd_handoff_format.hpp"

namespace jettison::emu {
namespace {

namespace wire = handoff_format;

constexpr std::uint16_t kKnownFlagsV1 = wire::kFlagWriteProtect | wire::kFlagMemfdV1;
constexpr std::uint16_t kKnownFlagsV2 = wire::kFlagWriteProtect;

std::string errno_text(int e) { return fmt::format("{} ({})", std::strerror(e), e); }

// sendmsg of `bytes` with `fds` attached to its first byte; the rest of a short write follows.
void send_with_fds(int sock, std::span<const std::byte> bytes, std::span<const int> fds) {
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int) * wire::kMaxFds)> control{};
  iovec iov{const_cast<std::byte*>(bytes.data()), bytes.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
  std::memcpy(CMSG_DATA(cmsg), fds.data(), sizeof(int) * fds.size());
  ssize_t n;
  do n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) throw UffdError(fmt::format("sending the userfaultfd: {}", errno_text(errno)));
  for (auto sent = static_cast<std::size_t>(n); sent < bytes.size();) {
    const ssize_t m = ::send(sock, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (m < 0 && errno == EINTR) continue;
    if (m <= 0)
      throw UffdError(fmt::format("sending the userfaultfd: {}", m < 0 ? errno_text(errno) : "short write"));
    sent += static_cast<std::size_t>(m);
  }
}

// Reads exactly `out.size()` bytes (the rest of a message after its header).
void read_exact(int sock, std::span<std::byte> out, std::string_view what) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::recv(sock, out.data() + done, out.size() - done, MSG_WAITALL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw UffdError(fmt::format("userfaultfd hand-off: reading {}: {}", what, errno_text(errno)));
    if (n == 0)
      throw UffdError(fmt::format("userfaultfd hand-off: the peer hung up after {} of the {} bytes of {}",
                                  done, out.size(), what));
    done += static_cast<std::size_t>(n);
  }
}

// Discards what is readable now: the rest of a message found bad, so the next one starts clean.
void discard_pending(int sock) {
  std::array<std::byte, wire::kMaxMessageSize> sink;
  while (::recv(sock, sink.data(), sink.size(), MSG_DONTWAIT) > 0) {
  }
}

std::string record_name(const wire::Region& r, std::uint32_t index) {
  const void* nul = std::memchr(r.name, '\0', wire::kNameSize);
  if (nul == nullptr)
    throw UffdError(fmt::format("userfaultfd hand-off: region {}: name is not NUL-terminated within {} bytes",
                                index, wire::kNameSize));
  return std::string(r.name);
}

// Checks one region record; `what` names it in errors.
void check_region(const RegionInfo& r, const std::string& what) {
  const std::uint64_t ps = r.page_size;
  if (ps == 0 || (ps & (ps - 1)) != 0)
    throw UffdError(fmt::format("userfaultfd hand-off: {}: page size {} is not a power of two", what, ps));
  if (r.length == 0) throw UffdError(fmt::format("userfaultfd hand-off: {}: empty (length 0)", what));
  if (r.base % ps != 0 || r.length % ps != 0 || r.memfd_offset % ps != 0)
    throw UffdError(
        fmt::format("userfaultfd hand-off: {}: base {:#x}, length {} or file offset {} is not a multiple of "
                    "the page size {}",
                    what, r.base, r.length, r.memfd_offset, ps));
  if (r.base + r.length < r.base)
    throw UffdError(fmt::format("userfaultfd hand-off: {}: {:#x}+{} wraps around", what, r.base, r.length));
}

std::string region_label(const RegionInfo& r, std::size_t index) {
  return r.name.empty() ? fmt::format("region {}", index) : fmt::format("region {} '{}'", index, r.name);
}

}  // namespace

void send_uffd(int sock, int uffd, const RegionInfo& region, int memfd) {
  std::array<std::byte, wire::kV1Size> buf{};
  wire::Header h;
  h.version = kUffdHandoverVersion;
  h.flags = static_cast<std::uint16_t>((region.write_protect ? wire::kFlagWriteProtect : 0) |
                                       (memfd >= 0 ? wire::kFlagMemfdV1 : 0));
  h.owner = static_cast<std::uint32_t>(::getpid());
  wire::encode_header(buf.data(), h);  // v1's reserved word is the v2 count field: 0
  wire::put<std::uint64_t>(buf.data(), 16, region.base);
  wire::put<std::uint64_t>(buf.data(), 24, region.length);
  wire::put<std::uint64_t>(buf.data(), 32, region.page_size);
  wire::put<std::uint64_t>(buf.data(), 40, region.memfd_offset);
  const int fds[2] = {uffd, memfd};
  send_with_fds(sock, buf, std::span<const int>(fds, memfd >= 0 ? 2 : 1));
}

void send_handoff(int sock, int uffd, std::span<const RegionInfo> regions, std::span<const int> ram_fds) {
  if (regions.empty() || regions.size() > wire::kMaxRegions)
    throw UffdError(fmt::format("send_handoff: {} regions (1..{})", regions.size(), wire::kMaxRegions));
  if (ram_fds.size() != regions.size())
    throw UffdError(fmt::format("send_handoff: {} RAM fds for {} regions", ram_fds.size(), regions.size()));
  std::vector<std::byte> buf(wire::kHeaderSize + regions.size() * wire::kRegionSize);
  wire::Header h;
  h.version = kUffdHandoffVersion;
  h.flags = regions.front().write_protect ? wire::kFlagWriteProtect : 0;
  h.owner = static_cast<std::uint32_t>(::getpid());
  h.count = static_cast<std::uint32_t>(regions.size());
  wire::encode_header(buf.data(), h);
  for (std::size_t i = 0; i < regions.size(); ++i) {
    const RegionInfo& r = regions[i];
    if (r.write_protect != regions.front().write_protect)
      throw UffdError("send_handoff: the regions disagree on write protection (one uffd, one mode)");
    wire::Region record;
    wire::set_name(record, r.name.c_str());
    record.base = r.base;
    record.length = r.length;
    record.page_size = r.page_size;
    record.file_offset = r.memfd_offset;
    wire::encode_region(buf.data() + wire::kHeaderSize + i * wire::kRegionSize, record);
  }
  std::vector<int> fds{uffd};
  fds.insert(fds.end(), ram_fds.begin(), ram_fds.end());
  send_with_fds(sock, buf, fds);
}

UffdHandoff receive_handoff(int sock) {
  std::array<std::byte, wire::kHeaderSize> head{};
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int) * (wire::kMaxFds + 1))> control{};
  iovec iov{head.data(), head.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  ssize_t n;
  do n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);
  while (n < 0 && errno == EINTR);
  if (n < 0) throw UffdError(fmt::format("receiving the userfaultfd: {}", errno_text(errno)));

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
  try {
    if (n != static_cast<ssize_t>(head.size()))
      throw UffdError(fmt::format("userfaultfd hand-off: message of {} bytes, shorter than a header ({})", n,
                                  head.size()));
    if ((msg.msg_flags & MSG_CTRUNC) != 0)
      throw UffdError(
          fmt::format("userfaultfd hand-off: descriptors truncated (more than {} attached)", wire::kMaxFds));
    if (!wire::has_magic(head.data()))
      throw UffdError("userfaultfd hand-off: bad magic (not a Jettison handover message)");
    const wire::Header h = wire::decode_header(head.data());
    UffdHandoff out;
    out.version = h.version;
    out.owner = static_cast<pid_t>(h.owner);
    if (h.version == wire::kVersion1) {
      std::array<std::byte, wire::kV1Size> v1{};
      std::memcpy(v1.data(), head.data(), head.size());
      read_exact(sock, std::span(v1).subspan(head.size()), "a v1 message");
      if ((h.flags & ~kKnownFlagsV1) != 0)
        throw UffdError(fmt::format("userfaultfd hand-off: unknown flags {:#x}", h.flags));
      const std::size_t expected_fds = (h.flags & wire::kFlagMemfdV1) != 0 ? 2 : 1;
      if (fds.size() != expected_fds)
        throw UffdError(fmt::format("userfaultfd hand-off: {} descriptors attached, expected {}", fds.size(),
                                    expected_fds));
      RegionInfo r;
      r.base = wire::get<std::uint64_t>(v1.data(), 16);
      r.length = wire::get<std::uint64_t>(v1.data(), 24);
      r.page_size = wire::get<std::uint64_t>(v1.data(), 32);
      r.memfd_offset = wire::get<std::uint64_t>(v1.data(), 40);
      r.write_protect = (h.flags & wire::kFlagWriteProtect) != 0;
      if (r.page_size == 0 || (r.page_size & (r.page_size - 1)) != 0 || r.length == 0 ||
          r.base % r.page_size != 0 || r.length % r.page_size != 0)
        throw UffdError(
            fmt::format("userfaultfd handover: region {:#x}+{} with page size {} is not page aligned", r.base,
                        r.length, r.page_size));
      out.regions.push_back(std::move(r));
      if (expected_fds == 2) out.ram_fds.push_back(std::move(fds[1]));
    } else if (h.version == wire::kVersion2) {
      if ((h.flags & ~kKnownFlagsV2) != 0)
        throw UffdError(fmt::format("userfaultfd hand-off: unknown flags {:#x}", h.flags));
      if (h.count == 0 || h.count > wire::kMaxRegions)
        throw UffdError(
            fmt::format("userfaultfd hand-off: region count {} (1..{})", h.count, wire::kMaxRegions));
      if (h.reserved != 0)
        throw UffdError(fmt::format("userfaultfd hand-off: reserved word is {:#x}, not 0", h.reserved));
      std::vector<std::byte> body(h.count * wire::kRegionSize);
      read_exact(sock, body, fmt::format("{} region records", h.count));
      if (fds.size() != 1 + h.count)
        throw UffdError(fmt::format(
            "userfaultfd hand-off: {} descriptors attached, expected {} (the uffd and one RAM fd per region)",
            fds.size(), 1 + h.count));
      for (std::uint32_t i = 0; i < h.count; ++i) {
        const wire::Region rec = wire::decode_region(body.data() + i * wire::kRegionSize);
        RegionInfo r;
        r.name = record_name(rec, i);
        r.base = rec.base;
        r.length = rec.length;
        r.page_size = rec.page_size;
        r.memfd_offset = rec.file_offset;
        r.write_protect = (h.flags & wire::kFlagWriteProtect) != 0;
        out.regions.push_back(std::move(r));
      }
      for (std::size_t i = 1; i < fds.size(); ++i) out.ram_fds.push_back(std::move(fds[i]));
    } else {
      throw UffdError(fmt::format("userfaultfd hand-off: version {}, this build speaks {} and {}", h.version,
                                  kUffdHandoverVersion, kUffdHandoffVersion));
    }
    if (out.owner <= 0) throw UffdError("userfaultfd hand-off: no owner pid");

    // Every region on its own, then together: one page size, no overlap, RAM files large enough.
    for (std::size_t i = 0; i < out.regions.size(); ++i) {
      const RegionInfo& r = out.regions[i];
      const std::string label = region_label(r, i);
      check_region(r, label);
      if (r.page_size != out.regions.front().page_size)
        throw UffdError(fmt::format("userfaultfd hand-off: {}: page size {}, region 0 has {}", label,
                                    r.page_size, out.regions.front().page_size));
      if (i < out.ram_fds.size()) {
        struct stat st {};
        if (::fstat(out.ram_fds[i].get(), &st) != 0)
          throw UffdError(
              fmt::format("userfaultfd hand-off: {}: fstat of its RAM fd: {}", label, errno_text(errno)));
        if (static_cast<std::uint64_t>(st.st_size) < r.memfd_offset + r.length)
          throw UffdError(
              fmt::format("userfaultfd hand-off: {}: its RAM file has {} bytes, fewer than offset {} + "
                          "length {}",
                          label, st.st_size, r.memfd_offset, r.length));
      }
    }
    std::vector<std::size_t> order(out.regions.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return out.regions[a].base < out.regions[b].base; });
    for (std::size_t k = 1; k < order.size(); ++k) {
      const RegionInfo& a = out.regions[order[k - 1]];
      const RegionInfo& b = out.regions[order[k]];
      if (a.base + a.length > b.base)
        throw UffdError(fmt::format("userfaultfd hand-off: {} ({:#x}+{}) and {} ({:#x}+{}) overlap",
                                    region_label(a, order[k - 1]), a.base, a.length,
                                    region_label(b, order[k]), b.base, b.length));
    }
    out.uffd = std::move(fds[0]);
    return out;
  } catch (const UffdError&) {
    discard_pending(sock);
    throw;
  }
}

ReceivedUffd receive_uffd(int sock) {
  UffdHandoff h = receive_handoff(sock);
  if (h.regions.size() != 1)
    throw UffdError(fmt::format(
        "userfaultfd hand-off: {} regions, this receiver takes one (receive_handoff() takes several)",
        h.regions.size()));
  ReceivedUffd out;
  out.uffd = std::move(h.uffd);
  if (!h.ram_fds.empty()) out.memfd = std::move(h.ram_fds.front());
  out.region = std::move(h.regions.front());
  out.owner = h.owner;
  return out;
}

}  // namespace jettison::emu
