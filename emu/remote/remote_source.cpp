#include "emu/remote/remote_source.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <unordered_map>

#include "emu/power/power_error.hpp"
#include "emu/wire/errors.hpp"
#include "emu/wire/tls_context.hpp"

namespace jettison::emu {
namespace {

Duration since(Clock::time_point start) {
  return Duration::micros(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
}

// Errors a reconnect can fix: the desktop going down or asking us to come back later.
bool transient(const ProtocolError& e) {
  return e.code() == ErrorCode::kShuttingDown || e.code() == ErrorCode::kBusy;
}

ChannelStats operator+(ChannelStats a, const ChannelStats& b) {
  a.frames_sent += b.frames_sent;
  a.frames_received += b.frames_received;
  a.bytes_sent += b.bytes_sent;
  a.bytes_received += b.bytes_received;
  return a;
}

}  // namespace

RemoteSource::RemoteSource(RemoteSourceConfig config)
    : config_(std::move(config)), netns_(NetworkNamespace::current()) {
  if (config_.backoff_initial <= Duration() || config_.backoff_max < config_.backoff_initial)
    throw std::invalid_argument("RemoteSource: backoff must be positive with max >= initial");
  try {
    tls_ = std::make_unique<TlsContext>(config_.tls, TlsRole::kClient);
  } catch (const std::exception& e) {
    throw SourceFailed(fmt::format("desktop {}: TLS setup: {}", peer(), e.what()));
  }
  if (config_.wake) {
    try {
      wol_ = std::make_unique<WolSender>(config_.wake->sender);
    } catch (const PowerError& e) {
      throw SourceFailed(fmt::format("desktop {}: cannot send magic packets: {}", peer(), e.what()));
    }
  }
  page_size_ = config_.client.page_size;
  pages_ = config_.expected_pages;
  if (config_.connect_now) {
    std::lock_guard lock(mutex_);
    ensure_connected();
  }
}

RemoteSource::~RemoteSource() {
  std::lock_guard lock(mutex_);
  drop_client("source closed");
}

std::uint64_t RemoteSource::page_size() const { return page_size_; }
std::uint64_t RemoteSource::pages() const { return pages_; }

void RemoteSource::on_status(std::function<void(std::string_view)> cb) {
  std::lock_guard lock(status_mutex_);
  status_cb_ = std::move(cb);
}

void RemoteSource::status(const std::string& text, bool warning) {
  if (warning) {
    spdlog::warn("remote {}: {}", peer(), text);
  } else {
    spdlog::info("remote {}: {}", peer(), text);
  }
  std::function<void(std::string_view)> cb;
  {
    std::lock_guard lock(status_mutex_);
    cb = status_cb_;
  }
  if (cb) cb(text);
}

void RemoteSource::cancel() {
  {
    std::lock_guard lock(wait_mutex_);
    ++cancel_epoch_;
  }
  cancelled_cv_.notify_all();
}

bool RemoteSource::cancelled() const { return cancel_epoch_ > op_epoch_; }

void RemoteSource::check_cancelled() const {
  if (cancelled()) throw SourceFailed(fmt::format("desktop {}: page source cancelled", peer()));
}

void RemoteSource::backoff_wait(Duration d) {
  std::unique_lock lock(wait_mutex_);
  cancelled_cv_.wait_for(lock, std::chrono::microseconds(d.us()), [&] { return cancelled(); });
}

RemoteSourceStats RemoteSource::stats() const {
  std::lock_guard lock(stats_mutex_);
  RemoteSourceStats s = stats_;
  const ChannelStats total = closed_channels_ + live_channel_;
  s.bytes_sent = Bytes::of(total.bytes_sent);
  s.bytes_received = Bytes::of(total.bytes_received);
  return s;
}

SessionInfo RemoteSource::session() const {
  std::lock_guard lock(stats_mutex_);
  return session_.value_or(SessionInfo{});
}

void RemoteSource::sample_channel() {
  if (!client_) return;
  const ChannelStats now = client_->stats();
  std::lock_guard lock(stats_mutex_);
  live_channel_ = now;
}

void RemoteSource::drop_client(const std::string& why) {
  if (!client_) return;
  spdlog::debug("remote {}: closing the connection: {}", peer(), why);
  client_->close();
  const ChannelStats last = client_->stats();
  client_.reset();
  connected_ = false;
  std::lock_guard lock(stats_mutex_);
  closed_channels_ = closed_channels_ + last;
  live_channel_ = ChannelStats{};
}

void RemoteSource::check_session(const SessionInfo& s) {
  std::lock_guard lock(stats_mutex_);
  if (!session_) {
    session_ = s;
    return;
  }
  const SessionInfo& was = *session_;
  if (s.image_id != was.image_id || s.image_pages != was.image_pages || s.page_size != was.page_size) {
    throw SourceFailed(fmt::format(
        "desktop {}: serves a different image now (id {:#x}, {} pages of {} bytes; was id {:#x}, {} pages "
        "of {} bytes): pages fetched earlier may be stale",
        peer(), s.image_id, s.image_pages, s.page_size, was.image_id, was.image_pages, was.page_size));
  }
  // Our own write-back may have been committed just before the connection dropped (COMMIT_ACK lost).
  const bool own_commit = write_back_in_progress_ && s.generation == was.generation + 1;
  if (s.generation != was.generation && !own_commit) {
    throw SourceFailed(
        fmt::format("desktop {}: the image changed while we were away (generation {} -> {}): pages fetched "
                    "earlier may be stale",
                    peer(), was.generation, s.generation));
  }
  session_->generation = s.generation;
}

bool RemoteSource::try_connect(Duration limit, std::string& error, bool& auth_error) {
  auth_error = false;
  ClientOptions options = config_.client;
  options.connect_timeout = std::max(Duration::millis(100), std::min(options.connect_timeout, limit));
  std::unique_ptr<PageClient> c;
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.attempts;
  }
  try {
    netns_.run_in([&] { c = std::make_unique<PageClient>(config_.endpoint, *tls_, options); });
  } catch (const AuthError& e) {
    error = e.what();
    auth_error = true;
    return false;
  } catch (const PeerGone& e) {
    error = e.what();
    return false;
  } catch (const ProtocolError& e) {
    if (!transient(e)) throw SourceFailed(fmt::format("desktop {}: handshake failed: {}", peer(), e.what()));
    error = e.what();
    return false;
  } catch (const WireError& e) {
    error = e.what();
    return false;
  }
  check_session(c->session());
  page_size_ = c->session().page_size;
  pages_ = c->session().image_pages;
  client_ = std::move(c);
  connected_ = true;
  sample_channel();
  return true;
}

void RemoteSource::send_magic_packet(std::uint32_t n) {
  const RemoteWakeConfig& w = *config_.wake;
  try {
    wol_->send(w.mac, w.password);
    {
      std::lock_guard lock(stats_mutex_);
      ++stats_.magic_packets;
    }
    status(fmt::format("magic packet {} sent for {} to {}", n, w.mac.to_string(), wol_->destination()));
  } catch (const PowerError& e) {
    // Not permanent by itself (the interface may come back): report and keep trying.
    status(fmt::format("magic packet {} for {} not sent: {}", n, w.mac.to_string(), e.what()), true);
  }
}

Duration reconnect_wait(const RemoteSourceConfig& config, Duration doubling, bool waking, Duration elapsed) {
  if (waking && elapsed < config.wake_retry_for) return config.backoff_initial;
  return doubling;
}

void RemoteSource::ensure_connected() {
  check_cancelled();
  if (client_) return;
  const auto start = Clock::now();
  const bool first = !session_.has_value();
  if (!first) {
    std::lock_guard lock(stats_mutex_);
    ++stats_.outages;
  }
  bool suspect_asleep = asleep_;
  if (suspect_asleep) status("desktop asleep: waking it");
  std::uint32_t attempt = 0, packets = 0, auth_failures = 0;
  Duration delay = config_.backoff_initial;
  // Magic packets keep the backoff's doubling spacing (0, 50, 150, 350 ms...) even while the attempts
  // come every backoff_initial (reconnect_wait): max_magic_packets then still spans seconds, for a
  // desktop that drops the first packets while it is still suspending.
  Duration packet_gap = config_.backoff_initial, next_packet{};
  std::string last_error = "none yet";
  while (true) {
    check_cancelled();
    const Duration elapsed = since(start);
    Duration left = Duration::max();
    if (config_.give_up_after) {
      left = *config_.give_up_after - elapsed;
      if (left <= Duration()) {
        const std::string why = fmt::format(
            "unreachable for {:.1f} s, giving up (limit {:.1f} s) after {} attempts and {} magic packets; "
            "last "
            "error: {}",
            elapsed.seconds_f(), config_.give_up_after->seconds_f(), attempt, packets, last_error);
        status(why, true);
        throw SourceFailed(fmt::format("desktop {}: {}", peer(), why));
      }
    }
    if (wol_ && suspect_asleep && packets < config_.max_magic_packets && elapsed >= next_packet) {
      send_magic_packet(++packets);
      next_packet = elapsed + packet_gap;
      packet_gap = std::min(packet_gap * 2, config_.backoff_max);
    }
    ++attempt;
    if (attempt > 1 || !first) status(fmt::format("reconnect attempt {}", attempt));
    std::string error;
    bool auth = false;
    if (try_connect(left, error, auth)) {
      const Duration paused = since(start);
      {
        std::lock_guard lock(stats_mutex_);
        ++stats_.connects;
        if (!first) {
          ++stats_.reconnects;
          stats_.paused += paused;
          stats_.last_pause = paused;
        }
        if (packets > 0) ++stats_.wakeups;
      }
      asleep_ = false;
      if (first && attempt == 1) {
        status(fmt::format("connected ({} pages of {} bytes)", pages_.load(), page_size_.load()));
      } else {
        status(fmt::format("resumed after {} ms ({} attempts, {} magic packets)", paused.us() / 1000, attempt,
                           packets));
      }
      return;
    }
    last_error = error;
    if (auth) {
      status(fmt::format("TLS handshake refused: {}", error), true);
      if (++auth_failures >= config_.auth_failures_permanent) {
        status("giving up: TLS refused us; check the pre-shared key and identity (or certificates)", true);
        throw SourceFailed(fmt::format(
            "desktop {}: TLS refused us ({}): check the pre-shared key and identity (or certificates)",
            peer(), error));
      }
    } else {
      auth_failures = 0;
      if (!suspect_asleep) status(fmt::format("desktop unreachable ({}): it may be asleep", error));
      suspect_asleep = true;
    }
    Duration wait = reconnect_wait(config_, delay, packets > 0, since(start));
    if (config_.give_up_after) wait = std::min(wait, *config_.give_up_after - since(start));
    if (wait > Duration()) backoff_wait(wait);
    delay = std::min(delay * 2, config_.backoff_max);
  }
}

void RemoteSource::fetch(std::span<const std::uint64_t> pages, const Place& place) {
  std::lock_guard lock(mutex_);
  op_epoch_ = fetch_floor_.load();  // any cancel() since rearm() counts: the fetcher is stopping
  check_cancelled();
  // The caller's order is kept (the fetcher puts the faulting pages first); duplicates dropped.
  std::vector<std::uint64_t> pending;
  std::unordered_map<std::uint64_t, std::size_t> index;
  pending.reserve(pages.size());
  for (std::uint64_t p : pages)
    if (index.emplace(p, pending.size()).second) pending.push_back(p);
  while (!pending.empty()) {
    ensure_connected();
    std::vector<char> got(pending.size(), 0);
    std::exception_ptr place_error;
    try {
      client_->get_pages(pending, [&](std::uint64_t page, const std::byte* data) {
        const auto it = index.find(page);
        assert(it != index.end() && "the client checks every page against the request");
        got[it->second] = 1;
        {
          std::lock_guard s(stats_mutex_);
          ++stats_.pages;
          if (data == nullptr) ++stats_.zero_pages;
        }
        try {
          place(page, data);
        } catch (...) {
          place_error = std::current_exception();
          throw;
        }
      });
      pending.clear();
      sample_channel();
    } catch (...) {
      if (place_error) {
        drop_client("place() failed");
        std::rethrow_exception(place_error);
      }
      std::string why;
      try {
        throw;
      } catch (const PeerGone& e) {
        why = e.what();
      } catch (const ProtocolError& e) {
        if (!transient(e)) {
          drop_client(e.what());
          throw SourceFailed(fmt::format("desktop {}: {}", peer(), e.what()));
        }
        why = e.what();
      }
      drop_client(why);
      std::vector<std::uint64_t> still;
      for (std::size_t i = 0; i < pending.size(); ++i)
        if (!got[i]) still.push_back(pending[i]);
      pending.swap(still);
      index.clear();
      for (std::size_t i = 0; i < pending.size(); ++i) index.emplace(pending[i], i);
      status(fmt::format("connection lost ({}); {} pages pending, fault paused", why, pending.size()));
    }
  }
}

bool RemoteSource::sleep_desktop(std::uint32_t after_ms) {
  std::lock_guard lock(mutex_);
  op_epoch_ = cancel_epoch_.load();  // only a cancel() from now on counts
  check_cancelled();
  if (!client_) {
    std::string error;
    bool auth = false;
    if (!try_connect(config_.client.connect_timeout, error, auth)) {
      status(fmt::format("cannot tell the desktop to sleep: {}", error));
      return false;
    }
    std::lock_guard s(stats_mutex_);
    ++stats_.connects;
    ++stats_.reconnects;
  }
  try {
    client_->sleep(after_ms);
  } catch (const WireError& e) {
    drop_client(e.what());
    status(fmt::format("SLEEP not acknowledged: {}", e.what()));
    return false;
  }
  drop_client("desktop going to sleep");
  asleep_ = true;
  {
    std::lock_guard s(stats_mutex_);
    ++stats_.sleeps;
  }
  status(fmt::format("desktop told to sleep in {} ms; connection closed", after_ms));
  return true;
}

RemoteWriteBackResult RemoteSource::write_back(std::span<const DirtyPage> pages) {
  std::lock_guard lock(mutex_);
  op_epoch_ = cancel_epoch_.load();  // reintegration runs after the fetcher stopped (and cancelled)
  check_cancelled();
  const auto start = Clock::now();
  RemoteWriteBackResult result;
  if (pages.empty()) return result;
  write_back_in_progress_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{write_back_in_progress_};
  while (true) {
    ensure_connected();
    ++result.attempts;
    try {
      client_->put_pages(pages);
      const WriteBackResult r = client_->commit();
      sample_channel();
      {
        std::lock_guard s(stats_mutex_);
        session_->generation = r.generation;
      }
      result.pages = r.pages;
      result.bytes = r.bytes_sent;
      result.generation = r.generation;
      result.elapsed = since(start);
      status(fmt::format("write-back of {} pages committed ({} bytes, {:.1f} ms, generation {})", r.pages,
                         r.bytes_sent.count(), static_cast<double>(result.elapsed.us()) / 1000.0,
                         r.generation));
      return result;
    } catch (const PeerGone& e) {
      drop_client(e.what());
      status(fmt::format("write-back interrupted ({}); restarting it", e.what()));
    } catch (const ProtocolError& e) {
      drop_client(e.what());
      if (!transient(e)) throw SourceFailed(fmt::format("desktop {}: write-back: {}", peer(), e.what()));
      status(fmt::format("write-back refused for now ({}); retrying", e.what()));
      backoff_wait(config_.backoff_initial);
    }
  }
}

}  // namespace jettison::emu
