// A PageSource that fetches pages from a desktop agent over the wire protocol (PageClient, TLS).
//
// When the connection fails or the desktop sleeps, fetch() keeps the faults paused and recovers:
// it sends a Wake-on-LAN magic packet out of the configured interface (before every reconnect
// attempt once the desktop is known or suspected asleep, up to max_magic_packets per outage, so a
// lost packet only delays), reconnects with exponential backoff (initial, doubling, capped) and
// re-sends only the pages still missing. It gives up with SourceFailed only after the configured
// deadline (none: never), on cancel(), on a TLS refusal (wrong key or identity), when the desktop
// serves a different image than before, or on a protocol error that retrying cannot fix.
// Every state change goes to spdlog and to the status callback.
//
// Sockets (TCP and the magic-packet sender) are opened in the network namespace of the thread that
// constructed the source, whichever thread calls fetch() later. fetch(), sleep_desktop() and
// write_back() run one at a time (a mutex); cancel(), stats() and on_status() from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/quantity.hpp"
#include "common/time.hpp"
#include "emu/fetch/page_source.hpp"
#include "emu/power/magic_packet.hpp"
#include "emu/power/wol_sender.hpp"
#include "emu/remote/network_namespace.hpp"
#include "emu/wire/page_client.hpp"

namespace jettison::emu {

class TlsContext;

struct RemoteWakeConfig {
  WolSenderConfig sender;  // interface, UDP broadcast or raw frame
  MacAddress mac;          // the desktop NIC's address
  std::optional<SecureOnPassword> password;
};

struct RemoteSourceConfig {
  Endpoint endpoint;  // the desktop agent's memory server
  TlsConfig tls;
  ClientOptions client;  // page size, timeouts, batching (connect_timeout bounds one attempt)
  // Wake-on-LAN; none: never send magic packets (the desktop is woken by someone else).
  std::optional<RemoteWakeConfig> wake;
  Duration backoff_initial = Duration::millis(50);  // wait after the first failed attempt
  Duration backoff_max = Duration::seconds(2);      // the wait doubles up to this
  std::uint32_t max_magic_packets = 8;              // per outage, at the backoff's doubling spacing
  // While waking the desktop (magic packets sent), retry every backoff_initial for this long from
  // the outage's start, instead of doubling (reconnect_wait()).
  Duration wake_retry_for = Duration::seconds(10);
  // How long one outage may last before fetch() throws SourceFailed; none: keep trying forever.
  std::optional<Duration> give_up_after;
  // A refused TLS handshake is permanent, but the wire layer reports a connection reset during the
  // handshake (a desktop going down at that moment) the same way: give up after this many in a row.
  std::uint32_t auth_failures_permanent = 2;
  // Connect in the constructor (and learn the image size there). Without it the first fetch()
  // connects, and pages()/page_size() report expected_pages / client.page_size until then.
  bool connect_now = true;
  std::uint64_t expected_pages = 0;
};

struct RemoteSourceStats {
  std::uint64_t connects = 0;               // successful connections (handshake done), the first included
  std::uint64_t reconnects = 0;             // successful connections after a lost or closed one
  std::uint64_t attempts = 0;               // connection attempts, failed ones included
  std::uint64_t outages = 0;                // times the desktop had to be reached again
  std::uint64_t magic_packets = 0;          // magic packets sent
  std::uint64_t wakeups = 0;                // outages with magic packets that ended in a reconnect
  std::uint64_t sleeps = 0;                 // SLEEP commands acknowledged
  std::uint64_t pages = 0, zero_pages = 0;  // pages handed to place() (zero pages: no data crossed)
  Bytes bytes_sent, bytes_received;         // frame bytes over every connection (before TLS)
  Duration paused;                          // total time fetches waited for the desktop
  Duration last_pause;                      // the last outage's length
};

struct RemoteWriteBackResult {
  std::uint64_t pages = 0;
  Bytes bytes;                   // PUT_PAGES + COMMIT frame bytes of the attempt that committed
  Duration elapsed;              // from the call to COMMIT_ACK, reconnects and retries included
  std::uint64_t generation = 0;  // the image's generation after the commit
  std::uint32_t attempts = 0;    // write-backs started (a lost connection restarts it)
};

// The wait after a failed connection attempt, `doubling` being the exponential backoff's current
// value. While the desktop is being woken (`waking`: magic packets sent in this outage) and for
// config.wake_retry_for from the outage's start (`elapsed`): backoff_initial, so the desktop is
// reached within that interval of its resume ending. Doubling then would reach a desktop that
// resumes in 0.2 s only at the 350 ms attempt (0, 50, 150, 350 ms), one in 2.27 s at 3.15 s, with
// the guest's fault waiting and the desktop awake for nothing meanwhile. Otherwise: `doubling`.
Duration reconnect_wait(const RemoteSourceConfig& config, Duration doubling, bool waking, Duration elapsed);

class RemoteSource final : public PageSource {
 public:
  // Opens the magic-packet sender (PowerError, wrapped in SourceFailed) and, with connect_now,
  // connects (waking the desktop if needed; SourceFailed as fetch()).
  explicit RemoteSource(RemoteSourceConfig config);
  ~RemoteSource() override;
  RemoteSource(const RemoteSource&) = delete;
  RemoteSource& operator=(const RemoteSource&) = delete;

  std::uint64_t page_size() const override;
  std::uint64_t pages() const override;
  void fetch(std::span<const std::uint64_t> pages, const Place& place) override;
  void on_status(std::function<void(std::string_view)> cb) override;
  // The operation in progress throws SourceFailed("cancelled") soon. Later fetch() calls fail too (the
  // fetcher is stopping); later sleep_desktop() and write_back() calls work (reintegration comes
  // after the fetcher stopped).
  void cancel() override;
  void rearm() override { fetch_floor_ = cancel_epoch_.load(); }

  // Tells the desktop to sleep (SLEEP after `after_ms`) and closes the connection; the next fetch
  // wakes it. Returns false (and does nothing) when the desktop cannot be reached right now.
  bool sleep_desktop(std::uint32_t after_ms = 0);
  // Sends the dirty pages back and commits them (reintegration), reconnecting and restarting the
  // write-back if the connection drops. Throws SourceFailed as fetch().
  RemoteWriteBackResult write_back(std::span<const DirtyPage> pages);

  RemoteSourceStats stats() const;
  bool connected() const { return connected_; }
  bool desktop_asleep() const { return asleep_; }  // we told it to sleep and have not reached it since
  std::string peer() const { return config_.endpoint.to_string(); }
  // The image's identity seen at the first connection.
  SessionInfo session() const;

 private:
  // Returns with client_ connected (waking the desktop and backing off as needed), or throws
  // SourceFailed. Called with mutex_ held.
  void ensure_connected();
  // One attempt within `limit`: true when connected; false with the error for a transient failure
  // (auth_error set for a refused TLS handshake); SourceFailed for a permanent one.
  bool try_connect(Duration limit, std::string& error, bool& auth_error);
  void drop_client(const std::string& why);
  void check_session(const SessionInfo& s);
  void send_magic_packet(std::uint32_t n);
  void backoff_wait(Duration d);                               // returns early on cancel()
  void status(const std::string& text, bool warning = false);  // spdlog + callback
  bool cancelled() const;
  void check_cancelled() const;
  void sample_channel();  // copies the live connection's traffic counters into the stats

  RemoteSourceConfig config_;
  NetworkNamespace netns_;
  std::unique_ptr<TlsContext> tls_;
  std::unique_ptr<WolSender> wol_;
  std::unique_ptr<PageClient> client_;

  mutable std::mutex mutex_;  // one operation at a time; guards client_
  bool write_back_in_progress_ = false;
  std::mutex wait_mutex_;
  std::condition_variable cancelled_cv_;
  std::atomic<std::uint64_t> cancel_epoch_{0}, op_epoch_{0};  // cancel() calls; the op's start
  std::atomic<std::uint64_t> fetch_floor_{0};                 // cancel() calls before the last rearm()
  std::atomic<bool> asleep_{false}, connected_{false};
  std::atomic<std::uint64_t> pages_{0}, page_size_{0};

  mutable std::mutex stats_mutex_;  // guards the members below
  std::optional<SessionInfo> session_;
  RemoteSourceStats stats_;
  ChannelStats closed_channels_, live_channel_;

  std::mutex status_mutex_;
  std::function<void(std::string_view)> status_cb_;
};

}  // namespace jettison::emu
