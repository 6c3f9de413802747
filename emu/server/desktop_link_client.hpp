// The DesktopLink over the wire: a connection of its own to the desktop agent's memory server
// (protocol version 2, capability VM), separate from the page fetches so a long fetch never delays a
// status poll. status() connects when needed with a short timeout and never sends a magic packet: a
// sleeping desktop just answers nothing (nullopt). Connections in the namespace of the thread that
// constructed the link.
#pragma once

#include <memory>
#include <mutex>

#include "emu/remote/network_namespace.hpp"
#include "emu/remote/remote_source.hpp"
#include "emu/server/desktop_link.hpp"
#include "emu/wire/page_client.hpp"

namespace jettison::emu {

class DesktopLinkClient final : public DesktopLink {
 public:
  // `config`: the same endpoint and TLS as the page source.
  explicit DesktopLinkClient(const RemoteSourceConfig& config,
                             Duration probe_timeout = Duration::millis(500));
  ~DesktopLinkClient() override;

  std::optional<DesktopVmStatus> status() override;
  std::vector<std::byte> device_state(std::uint64_t epoch) override;
  void return_state(std::uint64_t epoch, std::span<const std::byte> state, Duration timeout) override;

 private:
  // Connected client or throws (PeerGone, AuthError, ...). Called with mu_ held.
  PageClient& connected(Duration timeout);
  // Retries `op` once on a fresh connection if the first one was lost (the desktop may have slept
  // and woken since).
  template <class Op>
  auto with_connection(Duration timeout, Op op);

  RemoteSourceConfig config_;
  Duration probe_timeout_;
  NetworkNamespace netns_;
  std::mutex mu_;
  std::unique_ptr<PageClient> client_;
  // Refused TLS handshakes in a row; from kAuthFailuresPermanent on, status() throws AuthError.
  static constexpr int kAuthFailuresPermanent = 5;
  int auth_failures_ = 0;
};

}  // namespace jettison::emu
