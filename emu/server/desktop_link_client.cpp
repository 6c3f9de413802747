#include "emu/server/desktop_link_client.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "emu/vm/hosted_vm.hpp"
#include "emu/wire/errors.hpp"
#include "emu/wire/tls_context.hpp"

namespace jettison::emu {

DesktopLinkClient::DesktopLinkClient(const RemoteSourceConfig& config, Duration probe_timeout)
    : config_(config), probe_timeout_(probe_timeout), netns_(NetworkNamespace::current()) {}

DesktopLinkClient::~DesktopLinkClient() {
  if (client_) client_->close();
}

PageClient& DesktopLinkClient::connected(Duration timeout) {
  if (client_) return *client_;
  ClientOptions options = config_.client;
  options.connect_timeout = timeout;
  std::unique_ptr<PageClient> c;
  netns_.run_in([&] { c = std::make_unique<PageClient>(config_.endpoint, config_.tls, options); });
  if (!c->vm_capable())
    throw VmError(
        fmt::format("desktop {} serves no VM (protocol version {}, no VM capability): start "
                    "jettison-desktop with --vm-kernel",
                    config_.endpoint.to_string(), c->session().version));
  client_ = std::move(c);
  return *client_;
}

template <class Op>
auto DesktopLinkClient::with_connection(Duration timeout, Op op) {
  for (int attempt = 0;; ++attempt) {
    try {
      return op(connected(timeout));
    } catch (const PeerGone&) {
      client_.reset();
      if (attempt > 0) throw;
    }
  }
}

std::optional<DesktopVmStatus> DesktopLinkClient::status() {
  std::lock_guard lock(mu_);
  try {
    const VmStatus s = with_connection(probe_timeout_, [](PageClient& c) { return c.vm_status(); });
    auth_failures_ = 0;
    DesktopVmStatus d;
    d.remote = s.state == VmState::kRemote;
    d.user_returned = s.user_returned;
    d.epoch = s.epoch;
    d.state_bytes = s.state_bytes;
    d.guest_ram_bytes = s.guest_ram_bytes;
    return d;
  } catch (const AuthError& e) {
    // A desktop going to sleep mid-handshake looks the same as a refused key: only a run of them is.
    client_.reset();
    if (++auth_failures_ >= kAuthFailuresPermanent) throw;
    spdlog::debug("desktop link: {}: {} (taken as unreachable)", config_.endpoint.to_string(), e.what());
    return std::nullopt;
  } catch (const WireError& e) {
    spdlog::debug("desktop link: {} unreachable: {}", config_.endpoint.to_string(), e.what());
    client_.reset();
    return std::nullopt;
  }
}

std::vector<std::byte> DesktopLinkClient::device_state(std::uint64_t epoch) {
  std::lock_guard lock(mu_);
  try {
    return with_connection(config_.client.connect_timeout,
                           [epoch](PageClient& c) { return c.get_device_state(epoch); });
  } catch (...) {
    client_.reset();
    throw;
  }
}

void DesktopLinkClient::return_state(std::uint64_t epoch, std::span<const std::byte> state,
                                     Duration timeout) {
  std::lock_guard lock(mu_);
  try {
    // The desktop may be asleep, or waking fully for its user: keep trying to reach it up to `timeout`.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(timeout.us());
    while (true) {
      try {
        with_connection(config_.client.connect_timeout, [&](PageClient& c) {
          c.put_device_state(epoch, state, timeout);
          return 0;
        });
        return;
      } catch (const PeerGone& e) {
        client_.reset();
        if (std::chrono::steady_clock::now() >= deadline) throw;
        spdlog::info("desktop link: returning epoch {}: {}; retrying", epoch, e.what());
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    }
  } catch (...) {
    client_.reset();
    throw;
  }
}

}  // namespace jettison::emu
