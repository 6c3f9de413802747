// The client side of the protocol (used by the server-side fetcher): connect + handshake, then
// batched, pipelined page fetches, write-back, keep-alive, the sleep command and (version 2,
// capability VM) the VM's status and device state. Any failure
// throws PeerGone (reconnect and re-send), ProtocolError/RemoteError, or AuthError; after that the
// client is unusable and every call throws PeerGone. One thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "common/quantity.hpp"
#include "common/time.hpp"
#include "emu/wire/channel.hpp"
#include "emu/wire/messages.hpp"
#include "emu/wire/tcp_socket.hpp"
#include "emu/wire/tls_config.hpp"

namespace jettison::emu {

class TlsContext;

struct ClientOptions {
  Duration connect_timeout = Duration::seconds(5);  // TCP connect + TLS handshake + HELLO
  Duration io_timeout = Duration::seconds(10);      // an answer must start within this
  std::uint32_t page_size = 4096;
  std::uint64_t capabilities = kCapAll;
  std::uint16_t max_version = kProtocolVersionMax;  // lower it to speak as an older peer (tests)
  std::uint32_t max_pages_per_request = 256;        // pages in one GET_PAGES
  std::uint32_t max_requests_in_flight = 4;         // pipelined GET_PAGES
  // The first page of a get_pages call travels in a GET_PAGES of its own, so its answer does not
  // wait behind a batch (the fetcher puts the faulting page first, its prefetches after).
  bool first_page_alone = true;
  std::uint32_t max_puts_in_flight = 4;  // PUT_PAGES sent before their PUT_ACK came
};

struct SessionInfo {
  std::uint16_t version = 0;
  std::uint32_t page_size = 0;
  std::uint64_t image_bytes = 0, image_pages = 0, image_id = 0, generation = 0, capabilities = 0;
};

struct DirtyPage {
  std::uint64_t page = 0;
  std::span<const std::byte> data;  // page_size bytes
};

struct WriteBackResult {
  std::uint64_t pages = 0;
  Bytes bytes_sent;              // frame bytes of PUT_PAGES + COMMIT (before TLS)
  Duration elapsed;              // first PUT_PAGES to COMMIT_ACK
  std::uint64_t generation = 0;  // the image's generation after the commit
};

// data is nullptr for an all-zero page.
using PageSink = std::function<void(std::uint64_t page, const std::byte* data)>;

class PageClient {
 public:
  PageClient(const Endpoint& endpoint, const TlsContext& tls, const ClientOptions& options = {});
  PageClient(const Endpoint& endpoint, const TlsConfig& tls, const ClientOptions& options = {});
  // Over an established channel (tests, or a transport of the caller's own).
  PageClient(std::unique_ptr<Channel> channel, const ClientOptions& options = {});
  ~PageClient();

  const SessionInfo& session() const { return session_; }
  const std::string& peer() const { return channel_->peer(); }
  ChannelStats stats() const { return channel_->stats(); }

  // Fetches every page once (duplicates dropped; order kept, so put the faulting page first),
  // calling sink for each as it arrives. Returns when all arrived.
  void get_pages(std::span<const std::uint64_t> pages, const PageSink& sink);
  // Sends dirty pages into the open write-back session (opened on first use), returns when the
  // server has made them durable (all PUT_ACKs).
  void put_pages(std::span<const DirtyPage> pages);
  // Applies the session on the server; returns what it cost.
  WriteBackResult commit();
  // Tells the desktop to sleep after `after_ms`; returns when it acknowledged.
  void sleep(std::uint32_t after_ms = 0);
  // Version 2, capability VM (PROTOCOL.md, "VM messages"). Without the capability these throw
  // ProtocolError(UNEXPECTED) and the client stays usable.
  bool vm_capable() const { return (session_.capabilities & kCapVm) != 0; }
  VmStatus vm_status();
  // The device state of migration `epoch` (RemoteError UNEXPECTED for another epoch, VM_ERROR when
  // the desktop has none).
  std::vector<std::byte> get_device_state(std::uint64_t epoch);
  // Sends the VM's device state back to the desktop (after the dirty pages were committed) and waits
  // up to `timeout` for DEVICE_STATE_ACK, i.e. until the desktop's VM runs again. A non-zero result
  // throws RemoteError with the desktop's text; the connection stays usable then.
  void put_device_state(std::uint64_t epoch, std::span<const std::byte> state,
                        Duration timeout = Duration::seconds(60));
  // Round-trip time of one KEEPALIVE.
  Duration keepalive();
  // Sends BYE and closes (best effort, never throws).
  void close() noexcept;

 private:
  void handshake(const ClientOptions& options);
  Message await(Frame& holder, Duration timeout);  // next frame, decoded; RemoteError for ERROR
  Message interpret(const Frame& holder);          // decoded; RemoteError for ERROR
  void check_usable() const;
  void check_vm(const char* what) const;
  template <typename T>
  T expect(Frame& holder, const char* waiting_for);
  template <typename T>
  T expect(Frame& holder, const char* waiting_for, Duration timeout);
  void fail() { broken_ = true; }

  std::unique_ptr<Channel> channel_;
  ClientOptions options_;
  SessionInfo session_;
  DecodeLimits limits_;
  bool broken_ = false;
  std::uint32_t next_request_ = 1;
  std::uint64_t keepalive_nonce_ = 1;
  // Write-back session state.
  std::uint64_t wb_session_ = 0;
  std::uint32_t wb_batch_ = 0;
  std::uint64_t wb_pages_ = 0, wb_bytes_start_ = 0;
  Clock::time_point wb_started_;
};

}  // namespace jettison::emu
