#include "emu/memserver/server_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <shared_mutex>

#include "common/input_error.hpp"
#include "emu/memserver/memory_server.hpp"
#include "emu/wire/page_runs.hpp"

namespace jettison::emu {
namespace {
constexpr Duration kPollInterval = Duration::millis(50);
}

ServerSession::~ServerSession() {
  if (owns_journal_) {
    std::lock_guard lock(server_.journal_mutex_);
    spdlog::warn("memserver: {} left with an uncommitted write-back of {} pages; discarded", channel_.peer(),
                 server_.journal_->pages());
    server_.journal_->abort();
    server_.journal_owner_ = nullptr;
  }
}

std::optional<Frame> ServerSession::next_frame(Duration timeout) {
  Duration waited;
  while (!stopping_) {
    if (auto f = channel_.recv_frame(kPollInterval)) return f;
    waited += kPollInterval;
    if (waited >= timeout)
      throw PeerGone(channel_.peer() + ": idle for " + std::to_string(timeout.seconds_f()) + " s");
  }
  return std::nullopt;
}

bool ServerSession::handshake() {
  auto frame = next_frame(server_.config_.handshake_timeout);
  if (!frame) return false;
  if (frame->type != static_cast<std::uint16_t>(FrameType::kHello)) {
    throw ProtocolError(ErrorCode::kUnexpected,
                        std::string("expected HELLO, got ") + frame_type_name(frame->type));
  }
  const Hello hello = std::get<Hello>(decode(*frame, limits_));
  const std::uint16_t lo = std::max(hello.min_version, kProtocolVersionMin);
  const std::uint16_t hi = std::min(hello.max_version, kProtocolVersionMax);
  if (lo > hi) {
    throw ProtocolError(ErrorCode::kBadVersion,
                        "client speaks versions " + std::to_string(hello.min_version) + ".." +
                            std::to_string(hello.max_version) + ", server " +
                            std::to_string(kProtocolVersionMin) + ".." + std::to_string(kProtocolVersionMax));
  }
  const MemoryImage& image = *server_.image_;
  if (hello.page_size != image.page_size()) {
    throw ProtocolError(ErrorCode::kPageSizeMismatch, "client page size " + std::to_string(hello.page_size) +
                                                          ", image page size " +
                                                          std::to_string(image.page_size()));
  }
  caps_ = hello.capabilities & server_.config_.capabilities & kCapAll;
  limits_ = DecodeLimits{image.page_size(), image.pages()};
  send(HelloAck{hi, image.page_size(), image.bytes(), image.image_id(), server_.generation(), caps_});
  return true;
}

void ServerSession::run() noexcept {
  const std::string peer = channel_.peer();
  try {
    if (!handshake()) return;
    {
      std::lock_guard lock(server_.stats_mutex_);
      ++server_.stats_.connections;
    }
    spdlog::info("memserver: {} connected (capabilities {:#x})", peer, caps_);
    while (auto frame = next_frame(server_.config_.idle_timeout)) {
      Message m = decode(*frame, limits_);
      if (auto* get = std::get_if<GetPages>(&m)) {
        serve_get(*get);
      } else if (auto* put = std::get_if<PutPages>(&m)) {
        put_pages(*put);
      } else if (auto* c = std::get_if<Commit>(&m)) {
        commit(*c);
      } else if (auto* k = std::get_if<Keepalive>(&m)) {
        send(KeepaliveAck{k->nonce});
      } else if (auto* s = std::get_if<Sleep>(&m)) {
        if ((caps_ & kCapSleep) == 0)
          throw ProtocolError(ErrorCode::kUnexpected, "SLEEP without the sleep capability");
        send(SleepAck{});
        spdlog::info("memserver: {} asked the desktop to sleep in {} ms", peer, s->after_ms);
        std::lock_guard lock(server_.sleep_mutex_);
        if (server_.config_.on_sleep && !server_.sleeper_.joinable()) {
          server_.sleeper_ = std::thread(server_.config_.on_sleep, s->after_ms);
        }
      } else if (std::holds_alternative<Bye>(m)) {
        spdlog::info("memserver: {} said BYE", peer);
        break;
      } else if (auto* e = std::get_if<ErrorMsg>(&m)) {
        spdlog::warn("memserver: {} reported error {}: {}", peer, error_code_name(e->code), e->text);
        break;
      } else {
        throw ProtocolError(ErrorCode::kUnexpected, std::string(message_name(m)) + " is not a request");
      }
    }
  } catch (const ProtocolError& e) {
    spdlog::warn("memserver: closing {}: protocol error {}: {}", peer, error_code_name(e.code()), e.what());
    {
      std::lock_guard lock(server_.stats_mutex_);
      if (limits_.page_size == 0) ++server_.stats_.refused;
      ++server_.stats_.protocol_errors;
    }
    try {
      send(ErrorMsg{e.code(), e.what()});
    } catch (const WireError&) {
      // The peer may already be gone; the reason is logged above.
    }
  } catch (const InputError& e) {
    spdlog::error("memserver: closing {}: image or journal I/O failed: {}", peer, e.what());
    try {
      send(ErrorMsg{ErrorCode::kIoError, e.what()});
    } catch (const WireError&) {
    }
  } catch (const WireError& e) {
    spdlog::info("memserver: {} gone: {}", peer, e.what());
  } catch (const std::exception& e) {
    spdlog::error("memserver: closing {}: {}", peer, e.what());
  }
  channel_.close();
}

void ServerSession::serve_get(const GetPages& m) {
  const MemoryImage& image = *server_.image_;
  RunBuilder builder(image.page_size(), (caps_ & kCapZeroRuns) != 0);
  std::uint64_t served = 0, zeros = 0;
  std::shared_lock lock(server_.image_lock_);  // no write-back applies while pages are read
  auto flush = [&](bool last) {
    Pages p{m.request_id, last, builder.take()};
    send(p);
  };
  for (const auto& range : m.ranges) {
    for (std::uint64_t page = range.first_page; page < range.first_page + range.count; ++page) {
      if (builder.full()) flush(false);
      zeros += builder.add(page, image.page(page)) ? 1 : 0;
      ++served;
    }
  }
  {
    // Counted before the last frame goes out, so a client that has its pages sees the counts.
    std::lock_guard stats_lock(server_.stats_mutex_);
    server_.stats_.pages_served += served;
    server_.stats_.zero_pages_served += zeros;
  }
  flush(true);
}

void ServerSession::put_pages(const PutPages& m) {
  if ((caps_ & kCapWriteBack) == 0)
    throw ProtocolError(ErrorCode::kUnexpected, "PUT_PAGES without write-back capability");
  std::uint32_t pages = 0;
  {
    std::lock_guard lock(server_.journal_mutex_);
    Journal& journal = *server_.journal_;
    if (!owns_journal_) {
      if (server_.journal_owner_ != nullptr) {
        throw ProtocolError(ErrorCode::kBusy, "another client is writing back");
      }
      journal.begin(m.session_id);
      server_.journal_owner_ = this;
      owns_journal_ = true;
    } else if (journal.session() != m.session_id) {
      throw ProtocolError(ErrorCode::kUnexpected, "PUT_PAGES for session " + std::to_string(m.session_id) +
                                                      " while session " + std::to_string(journal.session()) +
                                                      " is open");
    }
    journal.append(m.runs);
    for (const auto& r : m.runs) pages += r.count;
  }
  send(PutAck{m.session_id, m.batch, pages});
}

void ServerSession::commit(const Commit& m) {
  CommitResult result;
  {
    std::lock_guard lock(server_.journal_mutex_);
    Journal& journal = *server_.journal_;
    if (!owns_journal_ || journal.session() != m.session_id) {
      throw ProtocolError(ErrorCode::kUnexpected,
                          "COMMIT of session " + std::to_string(m.session_id) + ", which is not open here");
    }
    if (journal.pages() != m.total_pages) {
      throw ProtocolError(ErrorCode::kUnexpected, "COMMIT says " + std::to_string(m.total_pages) +
                                                      " pages, the journal holds " +
                                                      std::to_string(journal.pages()));
    }
    std::unique_lock image_lock(server_.image_lock_);
    owns_journal_ = false;  // from here on the session is either applied or left for recovery
    server_.journal_owner_ = nullptr;
    result = journal.commit();
  }
  {
    std::lock_guard lock(server_.stats_mutex_);
    server_.stats_.pages_written_back += result.pages;
  }
  spdlog::info("memserver: {} wrote back {} pages (generation {})", channel_.peer(), result.pages,
               result.generation);
  send(CommitAck{m.session_id, result.pages, result.generation});
}

}  // namespace jettison::emu
