#include "emu/wire/page_client.hpp"

#include <fmt/format.h>

#include <deque>
#include <random>
#include <unordered_set>

#include "emu/wire/device_state_stream.hpp"
#include "emu/wire/page_runs.hpp"
#include "emu/wire/tls_context.hpp"

namespace jettison::emu {
namespace {

std::unique_ptr<Channel> connect_channel(const Endpoint& endpoint, const TlsContext& tls,
                                         const ClientOptions& o) {
  const Deadline deadline = deadline_after(o.connect_timeout);
  Fd fd = tcp_connect(endpoint, deadline);
  return std::make_unique<StreamChannel>(tls.establish(std::move(fd), endpoint.to_string(), deadline),
                                         o.io_timeout);
}

// Coalesces pages (in the caller's order, duplicates dropped) into GET_PAGES requests of at most
// max_pages pages each; with `first_alone` the first page gets a request of its own.
std::vector<GetPages> plan_requests(std::span<const std::uint64_t> pages, std::uint32_t max_pages,
                                    bool first_alone, std::uint32_t& next_id,
                                    std::unordered_set<std::uint64_t>& wanted) {
  std::vector<GetPages> out;
  std::uint32_t in_current = 0;
  for (std::uint64_t p : pages) {
    if (!wanted.insert(p).second) continue;
    if (out.empty() || in_current == max_pages || out.back().ranges.size() == kMaxRangesPerGet ||
        (first_alone && out.size() == 1 && in_current == 1)) {
      out.push_back(GetPages{next_id++, {}});
      in_current = 0;
    }
    auto& ranges = out.back().ranges;
    if (!ranges.empty() && ranges.back().first_page + ranges.back().count == p) {
      ++ranges.back().count;
    } else {
      ranges.push_back(PageRange{p, 1});
    }
    ++in_current;
  }
  return out;
}

std::uint32_t pages_in(const GetPages& g) {
  std::uint32_t n = 0;
  for (const auto& r : g.ranges) n += r.count;
  return n;
}

}  // namespace

PageClient::PageClient(const Endpoint& endpoint, const TlsContext& tls, const ClientOptions& options)
    : PageClient(connect_channel(endpoint, tls, options), options) {}

PageClient::PageClient(const Endpoint& endpoint, const TlsConfig& tls, const ClientOptions& options)
    : PageClient(endpoint, TlsContext(tls, TlsRole::kClient), options) {}

PageClient::PageClient(std::unique_ptr<Channel> channel, const ClientOptions& options)
    : channel_(std::move(channel)), options_(options) {
  if (options_.max_pages_per_request == 0 || options_.max_pages_per_request > kMaxPagesPerGet ||
      options_.max_requests_in_flight == 0 || options_.max_puts_in_flight == 0) {
    throw std::invalid_argument("PageClient: request sizes and windows must be at least 1");
  }
  handshake(options);
}

PageClient::~PageClient() { close(); }

void PageClient::check_usable() const {
  if (broken_) throw PeerGone(peer() + ": connection already failed; reconnect");
}

void PageClient::check_vm(const char* what) const {
  check_usable();
  if (!vm_capable())
    throw ProtocolError(ErrorCode::kUnexpected,
                        fmt::format("{}: {}: the VM capability was not negotiated", peer(), what));
}

Message PageClient::await(Frame& holder, Duration timeout) {
  auto frame = channel_->recv_frame(timeout);
  if (!frame) {
    throw PeerGone(fmt::format("{}: no answer within {} s", peer(), timeout.seconds_f()));
  }
  holder = std::move(*frame);
  return interpret(holder);
}

Message PageClient::interpret(const Frame& holder) {
  Message m = decode(holder, limits_);
  if (auto* e = std::get_if<ErrorMsg>(&m)) {
    throw RemoteError(e->code,
                      fmt::format("{}: server refused: {} ({})", peer(), e->text, error_code_name(e->code)));
  }
  return m;
}

template <typename T>
T PageClient::expect(Frame& holder, const char* waiting_for) {
  return expect<T>(holder, waiting_for, options_.io_timeout);
}

template <typename T>
T PageClient::expect(Frame& holder, const char* waiting_for, Duration timeout) {
  Message m = await(holder, timeout);
  if (auto* t = std::get_if<T>(&m)) return std::move(*t);
  throw ProtocolError(ErrorCode::kUnexpected,
                      fmt::format("{}: got {} while waiting for {}", peer(), message_name(m), waiting_for));
}

void PageClient::handshake(const ClientOptions& options) {
  try {
    if (options.max_version < kProtocolVersionMin || options.max_version > kProtocolVersionMax)
      throw std::invalid_argument(
          fmt::format("PageClient: cannot speak protocol version {}", options.max_version));
    channel_->send_frame(encode(
        Hello{kMagic, kProtocolVersionMin, options.max_version, options.page_size, options.capabilities}));
    limits_.version = options.max_version;
    Frame holder;
    const HelloAck ack = expect<HelloAck>(holder, "HELLO_ACK");
    if (ack.version < kProtocolVersionMin || ack.version > options.max_version ||
        ack.page_size != options.page_size || (ack.capabilities & ~options.capabilities) != 0 ||
        (ack.version < kProtocolVersionVm && (ack.capabilities & kCapVm) != 0)) {
      throw ProtocolError(
          ErrorCode::kBadVersion,
          fmt::format("{}: HELLO_ACK chose version {}, page size {}, capabilities {:#x}: not offered", peer(),
                      ack.version, ack.page_size, ack.capabilities));
    }
    session_ = SessionInfo{ack.version,  ack.page_size,  ack.image_bytes, ack.image_bytes / ack.page_size,
                           ack.image_id, ack.generation, ack.capabilities};
    limits_ = DecodeLimits{ack.page_size, session_.image_pages, ack.version};
  } catch (...) {
    fail();
    channel_->close();
    throw;
  }
}

void PageClient::get_pages(std::span<const std::uint64_t> pages, const PageSink& sink) {
  check_usable();
  for (std::uint64_t p : pages) {
    if (p >= session_.image_pages) {
      throw std::out_of_range(fmt::format("page {} beyond the image's {} pages", p, session_.image_pages));
    }
  }
  try {
    std::unordered_set<std::uint64_t> wanted;
    const auto requests = plan_requests(pages, options_.max_pages_per_request, options_.first_page_alone,
                                        next_request_, wanted);
    std::size_t next_to_send = 0;
    struct InFlight {
      std::uint32_t id, remaining;
    };
    std::deque<InFlight> in_flight;
    Frame holder;
    while (next_to_send < requests.size() || !in_flight.empty()) {
      while (next_to_send < requests.size() && in_flight.size() < options_.max_requests_in_flight) {
        const GetPages& g = requests[next_to_send++];
        channel_->send_frame(encode(g));
        in_flight.push_back({g.request_id, pages_in(g)});
      }
      Pages reply = expect<Pages>(holder, "PAGES");
      InFlight& front = in_flight.front();
      if (reply.request_id != front.id) {
        throw ProtocolError(ErrorCode::kUnexpected,
                            fmt::format("{}: PAGES for request {} while request {} is due", peer(),
                                        reply.request_id, front.id));
      }
      for (const auto& run : reply.runs) {
        for (std::uint32_t i = 0; i < run.count; ++i) {
          const std::uint64_t page = run.first_page + i;
          if (wanted.erase(page) == 0 || front.remaining == 0) {
            throw ProtocolError(ErrorCode::kUnexpected,
                                fmt::format("{}: page {} was not asked for (or came twice)", peer(), page));
          }
          --front.remaining;
          sink(page, run.zero ? nullptr : run.data.data() + std::size_t{i} * session_.page_size);
        }
      }
      if (reply.last) {
        if (front.remaining != 0) {
          throw ProtocolError(
              ErrorCode::kUnexpected,
              fmt::format("{}: request {} ended with {} pages missing", peer(), front.id, front.remaining));
        }
        in_flight.pop_front();
      }
    }
  } catch (const WireError&) {
    fail();
    throw;
  }
}

void PageClient::put_pages(std::span<const DirtyPage> pages) {
  check_usable();
  if ((session_.capabilities & kCapWriteBack) == 0) {
    throw ProtocolError(ErrorCode::kUnexpected, peer() + ": write-back was not negotiated");
  }
  for (const auto& d : pages) {
    if (d.page >= session_.image_pages || d.data.size() != session_.page_size) {
      throw std::invalid_argument(
          fmt::format("dirty page {}: beyond the image or not {} bytes", d.page, session_.page_size));
    }
  }
  try {
    if (wb_session_ == 0) {
      std::random_device rd;
      wb_session_ = (std::uint64_t{rd()} << 32 | rd()) | 1;
      wb_batch_ = 0;
      wb_pages_ = 0;
      wb_bytes_start_ = channel_->stats().bytes_sent;
      wb_started_ = Clock::now();
    }
    RunBuilder builder(session_.page_size, (session_.capabilities & kCapZeroRuns) != 0);
    std::deque<std::uint32_t> unacked;
    Frame holder;
    auto await_ack = [&] {
      const PutAck ack = expect<PutAck>(holder, "PUT_ACK");
      if (ack.session_id != wb_session_ || ack.batch != unacked.front()) {
        throw ProtocolError(ErrorCode::kUnexpected,
                            fmt::format("{}: PUT_ACK for batch {} of session {:#x}, expected {}", peer(),
                                        ack.batch, ack.session_id, unacked.front()));
      }
      unacked.pop_front();
    };
    auto flush = [&] {
      if (builder.empty()) return;
      if (unacked.size() >= options_.max_puts_in_flight) await_ack();
      PutPages m{wb_session_, ++wb_batch_, builder.take()};
      for (const auto& r : m.runs) wb_pages_ += r.count;
      channel_->send_frame(encode(m, session_.page_size));
      unacked.push_back(m.batch);
    };
    for (const auto& d : pages) {
      if (builder.full()) flush();
      builder.add(d.page, d.data.data());
    }
    flush();
    while (!unacked.empty()) await_ack();
  } catch (const WireError&) {
    fail();
    throw;
  }
}

WriteBackResult PageClient::commit() {
  check_usable();
  if (wb_session_ == 0) throw std::logic_error("PageClient::commit: no write-back session (put_pages first)");
  try {
    channel_->send_frame(encode(Commit{wb_session_, wb_pages_}));
    Frame holder;
    const CommitAck ack = expect<CommitAck>(holder, "COMMIT_ACK");
    if (ack.session_id != wb_session_ || ack.pages_applied != wb_pages_) {
      throw ProtocolError(ErrorCode::kUnexpected, fmt::format("{}: COMMIT_ACK for {} pages of session {:#x}",
                                                              peer(), ack.pages_applied, ack.session_id));
    }
    WriteBackResult r{
        wb_pages_, Bytes::of(channel_->stats().bytes_sent - wb_bytes_start_),
        Duration::micros(
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - wb_started_).count()),
        ack.generation};
    session_.generation = ack.generation;
    wb_session_ = 0;
    return r;
  } catch (const WireError&) {
    fail();
    throw;
  }
}

void PageClient::sleep(std::uint32_t after_ms) {
  check_usable();
  if ((session_.capabilities & kCapSleep) == 0)
    throw ProtocolError(ErrorCode::kUnexpected, peer() + ": sleep was not negotiated");
  try {
    channel_->send_frame(encode(Sleep{after_ms}));
    Frame holder;
    expect<SleepAck>(holder, "SLEEP_ACK");
  } catch (const WireError&) {
    fail();
    throw;
  }
}

VmStatus PageClient::vm_status() {
  check_vm("VM_STATUS");
  try {
    channel_->send_frame(encode(VmStatusQuery{}));
    Frame holder;
    return expect<VmStatusAck>(holder, "VM_STATUS_ACK").status;
  } catch (const WireError&) {
    fail();
    throw;
  }
}

std::vector<std::byte> PageClient::get_device_state(std::uint64_t epoch) {
  check_vm("GET_DEVICE_STATE");
  try {
    channel_->send_frame(encode(GetDeviceState{epoch}));
    DeviceStateAssembler state(epoch, fmt::format("{}: DEVICE_STATE", peer()));
    Frame holder;
    while (!state.complete()) state.add(expect<DeviceState>(holder, "DEVICE_STATE"));
    return state.take();
  } catch (const WireError&) {
    fail();
    throw;
  }
}

void PageClient::put_device_state(std::uint64_t epoch, std::span<const std::byte> state, Duration timeout) {
  check_vm("PUT_DEVICE_STATE");
  const auto chunks = split_device_state(epoch, state);  // std::invalid_argument above the bound
  DeviceStateAck ack;
  try {
    Frame holder;
    // The desktop may refuse the stream at its first chunk (wrong epoch, write-back still open) and
    // close: look for its ERROR between chunks, and after a failed send, so the reason is not lost.
    auto refused_early = [&] {
      auto early = channel_->recv_frame(Duration{});
      if (!early) return;
      holder = std::move(*early);
      const Message m = interpret(holder);  // RemoteError for ERROR
      throw ProtocolError(ErrorCode::kUnexpected,
                          fmt::format("{}: {} in the middle of PUT_DEVICE_STATE", peer(), message_name(m)));
    };
    for (const auto& c : chunks) {
      try {
        channel_->send_frame(encode(PutDeviceState{c}));
      } catch (const PeerGone&) {
        try {
          refused_early();
        } catch (const RemoteError&) {
          throw;
        } catch (const WireError&) {
          // Nothing readable: the connection loss itself is the error.
        }
        throw;
      }
      if (!c.last) refused_early();
    }
    ack = expect<DeviceStateAck>(holder, "DEVICE_STATE_ACK", timeout);
    if (ack.epoch != epoch) {
      throw ProtocolError(
          ErrorCode::kUnexpected,
          fmt::format("{}: DEVICE_STATE_ACK for epoch {}, sent epoch {}", peer(), ack.epoch, epoch));
    }
  } catch (const WireError&) {
    fail();
    throw;
  }
  if (ack.result != 0) {
    const auto code = static_cast<ErrorCode>(ack.result);
    throw RemoteError(
        code, fmt::format("{}: the desktop could not take the device state of epoch {}: {} ({})", peer(),
                          epoch, ack.text, error_code_name(code)));
  }
}

Duration PageClient::keepalive() {
  check_usable();
  try {
    const auto start = Clock::now();
    const std::uint64_t nonce = keepalive_nonce_++;
    channel_->send_frame(encode(Keepalive{nonce}));
    Frame holder;
    const KeepaliveAck ack = expect<KeepaliveAck>(holder, "KEEPALIVE_ACK");
    if (ack.nonce != nonce)
      throw ProtocolError(ErrorCode::kUnexpected, peer() + ": KEEPALIVE_ACK with a wrong nonce");
    return Duration::micros(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
  } catch (const WireError&) {
    fail();
    throw;
  }
}

void PageClient::close() noexcept {
  if (!broken_) {
    try {
      channel_->send_frame(encode(Bye{}));
    } catch (const std::exception&) {
      // Closing anyway.
    }
  }
  broken_ = true;
  channel_->close();
}

}  // namespace jettison::emu
