#include "emu/memserver/memory_server.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "emu/memserver/handshake_channel.hpp"
#include "emu/memserver/server_session.hpp"
#include "emu/memserver/small_stack_thread.hpp"
#include "emu/wire/channel.hpp"
#include "emu/wire/errors.hpp"
#include "emu/wire/tcp_socket.hpp"
#include "emu/wire/tls_context.hpp"
#include "emu/wire/tls_stream.hpp"

namespace jettison::emu {
namespace {

// The TLS identity a connection proved: the PSK's (the only one this server accepts), the client
// certificate's subject, or none.
std::string identity_of(const Stream& stream, const TlsConfig& tls) {
  switch (tls.security) {
    case Security::kTlsPsk:
      return "psk:" + tls.psk_identity;
    case Security::kTlsCertificates:
      if (const auto* t = dynamic_cast<const TlsStream*>(&stream)) return "cert:" + t->peer_subject();
      return "cert:?";
    case Security::kInsecurePlainTcp:
      break;
  }
  return "none (plain TCP)";
}

}  // namespace

struct MemoryServer::Conn {
  SmallStackThread thread;
  std::atomic<bool> done{false};
  // A duplicate of the connection's socket, kept open until the connection is reaped, so stop()
  // can shut the socket down under a peer stalled mid-frame (its number is never reused meanwhile).
  Fd control;
};

MemoryServer::MemoryServer(MemoryServerConfig config)
    : config_(std::move(config)),
      image_(std::make_unique<MemoryImage>(config_.image_path, config_.page_size)),
      tls_(std::make_unique<TlsContext>(config_.tls, TlsRole::kServer)),
      journal_(std::make_unique<Journal>(*image_, config_.journal_crash_hook)),
      limits_(config_.limits) {
  recovery_ = journal_->recover();
  switch (recovery_.outcome) {
    case RecoveryResult::Outcome::kReplayed:
      spdlog::warn("memserver: {}: replayed an interrupted write-back of {} pages", image_->path().string(),
                   recovery_.pages);
      break;
    case RecoveryResult::Outcome::kDiscarded:
      spdlog::warn("memserver: {}: discarded an uncommitted write-back journal ({})", image_->path().string(),
                   recovery_.reason);
      break;
    case RecoveryResult::Outcome::kNothing:
      break;
  }
  if (config_.vm) {
    const VmHooks& h = *config_.vm;
    const char* missing = !h.status            ? "status"
                          : !h.device_state    ? "device_state"
                          : !h.accept_state    ? "accept_state"
                          : !h.may_serve_pages ? "may_serve_pages"
                                               : nullptr;
    if (missing)
      throw std::invalid_argument(std::string("MemoryServerConfig::vm: hook ") + missing + " is not set");
  }
  if (tls_->insecure()) {
    spdlog::warn("memserver: INSECURE plain-TCP mode (benchmarks only): no authentication, no encryption");
  }
}

MemoryServer::~MemoryServer() {
  stop();
  std::lock_guard lock(sleep_mutex_);
  if (sleeper_.joinable()) sleeper_.join();
}

std::uint64_t MemoryServer::generation() const {
  std::lock_guard lock(journal_mutex_);
  return journal_->generation();
}

std::optional<std::uint64_t> MemoryServer::write_back_in_progress() const {
  std::lock_guard lock(journal_mutex_);
  if (journal_owner_ == nullptr || !journal_->active()) return std::nullopt;
  return journal_->pages();
}

MemoryServerStats MemoryServer::stats() const {
  MemoryServerStats s;
  {
    std::lock_guard lock(stats_mutex_);
    s = stats_;
  }
  s.peer = peers_.current();
  return s;
}

void MemoryServer::start() {
  if (running_) return;
  {
    // A previous on_sleep thread has finished its job by the time the agent starts us again.
    std::lock_guard lock(sleep_mutex_);
    if (sleeper_.joinable() && sleeper_.get_id() != std::this_thread::get_id()) sleeper_.join();
  }
  listener_ = std::make_unique<TcpListener>(config_.listen_host, port_ != 0 ? port_ : config_.port);
  port_ = listener_->port();
  stopping_ = false;
  running_ = true;
  acceptor_ = std::thread([this] { accept_loop(); });
  spdlog::info("memserver: serving {} ({} pages of {} bytes) on {}:{} ({})", image_->path().string(),
               image_->pages(), image_->page_size(), config_.listen_host, port_,
               security_name(config_.tls.security));
}

void MemoryServer::stop() {
  if (!running_) return;
  stopping_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  listener_.reset();
  std::list<std::unique_ptr<Conn>> conns;
  {
    std::lock_guard lock(conns_mutex_);
    conns.swap(conns_);
  }
  // Wake sessions blocked on a peer that stalled mid-frame: they see the socket closed at once.
  for (auto& c : conns)
    if (!c->done && c->control.get() >= 0) ::shutdown(c->control.get(), SHUT_RDWR);
  for (auto& c : conns) c->thread.join();
  running_ = false;
  spdlog::info("memserver: stopped (port {} closed)", port_);
}

void MemoryServer::reap_finished() {
  std::lock_guard lock(conns_mutex_);
  for (auto it = conns_.begin(); it != conns_.end();) {
    if ((*it)->done) {
      (*it)->thread.join();
      it = conns_.erase(it);
    } else {
      ++it;
    }
  }
}

void MemoryServer::accept_loop() {
  while (!stopping_) {
    std::optional<Accepted> accepted;
    try {
      accepted = listener_->accept(deadline_after(Duration::millis(50)));
    } catch (const WireError& e) {
      spdlog::error("memserver: {}", e.what());
      continue;
    }
    reap_finished();
    over_limit_log_.flush(Clock::now());
    if (!accepted) continue;
    auto admitted = limits_.admit(accepted->host);
    if (const OverLimit* why = std::get_if<OverLimit>(&admitted)) {
      // Closed at once: the peer costs no thread and no buffer, and the listen queue keeps draining.
      // Counted first, so whoever sees the socket closed sees the count.
      {
        std::lock_guard lock(stats_mutex_);
        ++stats_.over_limit;
      }
      over_limit_log_.record(*why, accepted->host, Clock::now());
      accepted->fd.reset();
      continue;
    }
    start_connection(std::move(*accepted), std::move(std::get<ConnectionLimits::Slot>(admitted)));
  }
}

void MemoryServer::start_connection(Accepted accepted, ConnectionLimits::Slot slot) {
  const Deadline deadline = deadline_after(config_.handshake_timeout);  // from accept to HELLO
  auto conn = std::make_unique<Conn>();
  const int control = ::dup(accepted.fd.get());
  if (control < 0) {
    spdlog::warn("memserver: closing {}: dup of its socket failed: {}", accepted.peer, std::strerror(errno));
    return;  // the socket and the slot go with `accepted` and `slot`
  }
  conn->control = Fd(control);
  Conn* raw = conn.get();
  const std::string peer = accepted.peer;
  try {
    raw->thread = SmallStackThread(kConnectionStack,
                                   [this, raw, deadline, a = std::make_shared<Accepted>(std::move(accepted)),
                                    s = std::make_shared<ConnectionLimits::Slot>(std::move(slot))] {
                                     run_connection(*raw, std::move(*a), std::move(*s), deadline);
                                   });
  } catch (const std::system_error& e) {
    spdlog::error("memserver: closing {}: no thread for it: {}", peer, e.what());
    return;
  }
  std::lock_guard lock(conns_mutex_);
  conns_.push_back(std::move(conn));
}

void MemoryServer::run_connection(Conn& conn, Accepted accepted, ConnectionLimits::Slot slot,
                                  Deadline deadline) {
  const std::string peer = accepted.peer;
  auto count = [this](std::uint64_t MemoryServerStats::*field) {
    std::lock_guard lock(stats_mutex_);
    ++(stats_.*field);
  };
  try {
    auto stream = tls_->establish(std::move(accepted.fd), peer, deadline);
    const PeerLabel who{accepted.host, identity_of(*stream, config_.tls)};
    StreamChannel channel(std::move(stream), config_.send_timeout);
    HandshakeChannel bounded(
        channel, deadline, config_.handshake_timeout, [&slot] { slot.handshake_done(); },
        [&] {
          count(&MemoryServerStats::handshake_timeouts);
          count(&MemoryServerStats::refused);
        });
    ServerSession(*this, bounded, stopping_, who).run();
  } catch (const AuthError& e) {
    spdlog::warn("memserver: refused {}: {}", peer, e.what());
    count(&MemoryServerStats::refused);
  } catch (const std::exception& e) {
    const bool late = Clock::now() >= deadline;
    spdlog::warn("memserver: connection from {} failed before the protocol started{}: {}", peer,
                 late ? " (handshake timeout)" : "", e.what());
    if (late) count(&MemoryServerStats::handshake_timeouts);
    count(&MemoryServerStats::refused);
  }
  slot.release();  // before `done`: the limits never count a finished connection
  conn.done = true;
}

}  // namespace jettison::emu
