#include "emu/power/wol_listener.hpp"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

#include "emu/power/net_interface.hpp"
#include "emu/power/power_error.hpp"

namespace jettison::emu {
namespace {

// More than any magic packet, so an oversized datagram is seen as oversized, not truncated to fit.
constexpr std::size_t kReadBuffer = 2048;
// Datagrams read per readable socket before polling again, so one flood cannot starve the deadline.
constexpr int kBurst = 64;

}  // namespace

WolListener::WolListener(WolListenerConfig config) : config_(std::move(config)) {
  const std::string& ifname = config_.interface;
  if (!config_.udp_port && !config_.raw) throw PowerError(ifname + ": WoL listener with neither UDP nor raw");
  const InterfaceInfo info = query_interface(ifname);
  if (config_.udp_port) {
    udp_ = UniqueFd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!udp_) throw sys_error(ifname, "socket(AF_INET, SOCK_DGRAM)");
    const int one = 1;
    if (::setsockopt(udp_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
      throw sys_error(ifname, "setsockopt(SO_REUSEADDR)");
    if (::setsockopt(udp_.get(), SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(),
                     static_cast<socklen_t>(ifname.size())) != 0)
      throw sys_error(ifname, "setsockopt(SO_BINDTODEVICE)");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(*config_.udp_port);
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    if (::bind(udp_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
      throw sys_error(ifname, "bind(UDP port " + std::to_string(*config_.udp_port) + ")");
  }
  if (config_.raw) {
    // Protocol 0 until bound to the interface, so no frame of another interface is queued.
    raw_ = UniqueFd(::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!raw_) throw sys_error(ifname, "socket(AF_PACKET, SOCK_DGRAM)");
    sockaddr_ll addr{};
    addr.sll_family = AF_PACKET;
    addr.sll_protocol = htons(kWolEtherType);
    addr.sll_ifindex = info.index;
    if (::bind(raw_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
      throw sys_error(ifname, "bind(AF_PACKET, ethertype 0x0842)");
  }
  wake_ = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_) throw sys_error(ifname, "eventfd");
  spdlog::debug("wol: listening on {} for {} ({}{}{})", ifname, config_.mac.to_string(),
                config_.udp_port ? "udp port " + std::to_string(*config_.udp_port) : std::string(),
                config_.udp_port && config_.raw ? ", " : "", config_.raw ? "ethertype 0x0842" : "");
}

WolListener::~WolListener() { stop(); }

void WolListener::ignore(const std::string& from, const std::string& reason) {
  spdlog::debug("wol: {}: ignored packet from {}: {}", config_.interface, from, reason);
  std::lock_guard lock(stats_mutex_);
  ++stats_.ignored;
  stats_.last_ignored_reason = reason;
}

std::optional<WolReceipt> WolListener::read_one(int fd, WolTransport transport, bool* got_any) {
  std::array<std::uint8_t, kReadBuffer> buf{};
  sockaddr_storage from{};
  socklen_t from_len = sizeof from;
  const ssize_t n =
      ::recvfrom(fd, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &from_len);
  if (n < 0) {
    *got_any = false;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::nullopt;
    throw sys_error(config_.interface, std::string("recvfrom(") + std::string(name_of(transport)) + ")");
  }
  *got_any = true;
  std::string sender;
  if (transport == WolTransport::kUdp) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&from);
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
    sender = std::string(text) + ":" + std::to_string(ntohs(sin->sin_port));
  } else {
    const auto* sll = reinterpret_cast<const sockaddr_ll*>(&from);
    if (sll->sll_pkttype == PACKET_OUTGOING) return std::nullopt;  // our own frame, not a wake
    std::array<std::uint8_t, MacAddress::kSize> mac{};
    std::memcpy(mac.data(), sll->sll_addr, mac.size());
    sender = MacAddress(mac).to_string();
  }
  const std::span<const std::uint8_t> bytes(buf.data(), static_cast<std::size_t>(n));
  if (auto why = magic_packet_rejection(bytes, config_.mac, config_.password)) {
    ignore(sender, *why);
    return std::nullopt;
  }
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.accepted;
  }
  WolReceipt r{transport, sender, *parse_magic_packet(bytes).packet};
  spdlog::info("wol: {}: magic packet for {} over {} from {}", config_.interface, config_.mac.to_string(),
               name_of(transport), sender);
  return r;
}

std::optional<WolReceipt> WolListener::wait(std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  std::array<pollfd, 3> fds{};
  nfds_t count = 0;
  fds[count++] = {wake_.get(), POLLIN, 0};
  if (udp_) fds[count++] = {udp_.get(), POLLIN, 0};
  if (raw_) fds[count++] = {raw_.get(), POLLIN, 0};
  while (true) {  // bounded by the deadline: every pass polls at most the remaining time
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    const int rc = ::poll(fds.data(), count, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
    if (rc < 0 && errno != EINTR) throw sys_error(config_.interface, "poll");
    if (rc > 0) {
      if (fds[0].revents & POLLIN) {
        std::uint64_t v = 0;
        if (::read(wake_.get(), &v, sizeof v) < 0 && errno != EAGAIN)
          throw sys_error(config_.interface, "read(eventfd)");
        return std::nullopt;
      }
      for (nfds_t i = 1; i < count; ++i) {
        if (fds[i].revents & (POLLERR | POLLNVAL)) throw PowerError(config_.interface + ": WoL socket error");
        if (!(fds[i].revents & POLLIN)) continue;
        const WolTransport t = fds[i].fd == udp_.get() ? WolTransport::kUdp : WolTransport::kRaw;
        bool got = true;
        for (int k = 0; k < kBurst && got; ++k)
          if (auto r = read_one(fds[i].fd, t, &got)) return r;
      }
    }
    if (Clock::now() >= deadline) return std::nullopt;
  }
}

void WolListener::drain() {
  for (const UniqueFd* fd : {&udp_, &raw_}) {
    if (!*fd) continue;
    std::array<std::uint8_t, kReadBuffer> buf{};
    for (int k = 0; k < 4 * kBurst; ++k) {
      if (::recv(fd->get(), buf.data(), buf.size(), MSG_DONTWAIT) < 0) break;
      ignore("(queued)", "arrived while awake");
    }
  }
}

void WolListener::interrupt() {
  const std::uint64_t one = 1;
  if (::write(wake_.get(), &one, sizeof one) < 0) throw sys_error(config_.interface, "write(eventfd)");
}

void WolListener::start(std::function<void(const WolReceipt&)> on_packet) {
  if (thread_.joinable()) throw PowerError(config_.interface + ": WoL listener thread already running");
  stopping_ = false;
  thread_ = std::thread([this, cb = std::move(on_packet)] {
    while (!stopping_) {
      try {
        if (auto r = wait(std::chrono::milliseconds(500))) cb(*r);
      } catch (const std::exception& e) {
        spdlog::error("wol: listener on {} stopped: {}", config_.interface, e.what());
        return;
      }
    }
  });
}

void WolListener::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  interrupt();
  thread_.join();
}

WolListenerStats WolListener::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

}  // namespace jettison::emu
