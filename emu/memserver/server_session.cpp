#include "emu/memserver/server_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <shared_mutex>

#include "common/input_error.hpp"
#include "emu/memserver/memory_server.hpp"
#include "emu/wire/page_runs.hpp"

namespace jettison::emu {
namespace {
constexpr Duration kPollInterval = Duration::millis(50);
constexpr int kDrainPolls = 20;  // after an ERROR, the peer's frames are dropped for 20 x 50 ms at most

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Runs a VM hook; its failure becomes a VM_ERROR carrying its text.
template <typename F>
auto call_hook(const char* hook, F&& f) {
  try {
    return f();
  } catch (const VmHookError& e) {
    throw ProtocolError(ErrorCode::kVmError, fmt::format("VM hook {}: {}", hook, e.what()));
  } catch (const WireError&) {
    throw;
  } catch (const std::exception& e) {
    throw ProtocolError(ErrorCode::kVmError, fmt::format("VM hook {} failed: {}", hook, e.what()));
  }
}

}  // namespace

ServerSession::~ServerSession() {
  if (registered_) server_.peers_.closed(channel_.peer(), unix_ms());
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
  if (!server_.config_.vm || hi < kProtocolVersionVm) caps_ &= ~kCapVm;
  limits_ = DecodeLimits{image.page_size(), image.pages(), hi};
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
    server_.peers_.connected(peer, who_.host, who_.identity, unix_ms());
    registered_ = true;
    spdlog::info("memserver: {} connected (version {}, capabilities {:#x})", peer, limits_.version, caps_);
    while (auto frame = next_frame(server_.config_.idle_timeout)) {
      Message m = decode(*frame, limits_);
      if (put_state_ && !std::holds_alternative<PutDeviceState>(m) && !std::holds_alternative<Keepalive>(m) &&
          !std::holds_alternative<Bye>(m) && !std::holds_alternative<ErrorMsg>(m)) {
        throw ProtocolError(ErrorCode::kUnexpected,
                            fmt::format("{} in the middle of a PUT_DEVICE_STATE stream", message_name(m)));
      }
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
      } else if (std::holds_alternative<VmStatusQuery>(m)) {
        require_vm("VM_STATUS");
        send(VmStatusAck{vm_status()});
      } else if (auto* gs = std::get_if<GetDeviceState>(&m)) {
        get_device_state(*gs);
      } else if (auto* ps = std::get_if<PutDeviceState>(&m)) {
        put_device_state(*ps);
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
  } catch (const ImageChanged& e) {
    spdlog::error("memserver: closing {}: {}", peer, e.what());
    try {
      send(ErrorMsg{ErrorCode::kImageChanged, e.what()});
      drain_after_error();
    } catch (const WireError&) {
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

void ServerSession::drain_after_error() {
  // A fetcher pipelines its requests: closing while some are still unread makes the kernel reset
  // the connection, which can destroy the ERROR before the peer reads it (it would see "connection
  // reset" or "broken pipe" instead). So what still comes is read and dropped until the peer, having
  // read the ERROR, closes; for kDrainPolls polls (1 s) at most.
  for (int i = 0; i < kDrainPolls && !stopping_; ++i) channel_.recv_frame(kPollInterval);
}

void ServerSession::serve_get(const GetPages& m) {
  if (server_.config_.vm && !call_hook("may_serve_pages", server_.config_.vm->may_serve_pages)) {
    throw ProtocolError(ErrorCode::kVmLocal, "the VM runs on the desktop: its pages are not served");
  }
  const MemoryImage& image = *server_.image_;
  const std::uint32_t page_size = image.page_size();
  // Pages are read (pread, then the image's identity checked) in batches of at most one frame's
  // data into read_buffer_; the runs being built point into it, so they go out before a refill.
  std::uint64_t requested = 0;
  for (const auto& range : m.ranges) requested += range.count;
  const std::uint64_t batch_capacity = std::min<std::uint64_t>(kMaxPageData / page_size, requested);
  if (read_buffer_.size() < batch_capacity * page_size) read_buffer_.resize(batch_capacity * page_size);
  RunBuilder builder(page_size, (caps_ & kCapZeroRuns) != 0);
  std::uint64_t served = 0, zeros = 0;
  std::shared_lock lock(server_.image_lock_);  // no write-back applies while pages are read
  auto flush = [&](bool last) {
    Pages p{m.request_id, last, builder.take()};
    send(p);
  };
  std::vector<PageRange> batch;
  std::uint64_t batch_pages = 0;
  auto serve_batch = [&] {
    if (batch.empty()) return;
    if (!builder.empty()) flush(false);
    image.read_pages(batch, std::span(read_buffer_).first(batch_pages * page_size));
    const std::byte* data = read_buffer_.data();
    for (const auto& range : batch) {
      for (std::uint64_t page = range.first_page; page < range.first_page + range.count; ++page) {
        if (builder.full()) flush(false);
        zeros += builder.add(page, data) ? 1 : 0;
        data += page_size;
        ++served;
      }
    }
    batch.clear();
    batch_pages = 0;
  };
  for (const auto& range : m.ranges) {
    std::uint64_t first = range.first_page, left = range.count;
    while (left > 0) {
      if (batch_pages == batch_capacity) serve_batch();
      const std::uint64_t take = std::min(left, batch_capacity - batch_pages);
      batch.push_back(PageRange{first, static_cast<std::uint32_t>(take)});
      first += take;
      left -= take;
      batch_pages += take;
    }
  }
  serve_batch();
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
  server_.image_->check();  // pages for a changed image are not even journalled
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
    // A changed image is refused before the commit record exists; the session's journal is then
    // discarded with the connection.
    server_.image_->check();
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

void ServerSession::require_vm(const char* what) const {
  if ((caps_ & kCapVm) == 0)
    throw ProtocolError(ErrorCode::kUnexpected, fmt::format("{} without the VM capability", what));
}

VmStatus ServerSession::vm_status() const { return call_hook("status", server_.config_.vm->status); }

void ServerSession::get_device_state(const GetDeviceState& m) {
  require_vm("GET_DEVICE_STATE");
  const VmStatus status = vm_status();
  if (m.epoch != status.epoch) {
    throw ProtocolError(ErrorCode::kUnexpected,
                        fmt::format("GET_DEVICE_STATE for epoch {}, but the VM is in epoch {} ({})", m.epoch,
                                    status.epoch, vm_state_name(status.state)));
  }
  const auto state = call_hook("device_state", [&] { return server_.config_.vm->device_state(m.epoch); });
  if (!state) throw ProtocolError(ErrorCode::kVmError, fmt::format("no device state for epoch {}", m.epoch));
  if (state->size() > kMaxDeviceState) {
    throw ProtocolError(ErrorCode::kTooLarge,
                        fmt::format("the device state of epoch {} has {} bytes, above {}", m.epoch,
                                    state->size(), kMaxDeviceState));
  }
  const auto chunks = split_device_state(m.epoch, *state);
  for (const auto& c : chunks) send(DeviceState{c});
  {
    std::lock_guard lock(server_.stats_mutex_);
    ++server_.stats_.device_states_sent;
  }
  server_.peers_.took_vm(channel_.peer(), unix_ms());
  spdlog::info("memserver: sent the device state of epoch {} ({} bytes in {} frames) to {}", m.epoch,
               state->size(), chunks.size(), channel_.peer());
}

void ServerSession::put_device_state(const PutDeviceState& m) {
  require_vm("PUT_DEVICE_STATE");
  if (!put_state_) {
    {
      std::lock_guard lock(server_.journal_mutex_);
      if (server_.journal_owner_ != nullptr) {
        throw ProtocolError(owns_journal_ ? ErrorCode::kUnexpected : ErrorCode::kBusy,
                            "PUT_DEVICE_STATE while a write-back session is open (COMMIT the pages first)");
      }
    }
    const VmStatus status = vm_status();
    if (m.epoch != status.epoch) {
      throw ProtocolError(ErrorCode::kUnexpected,
                          fmt::format("PUT_DEVICE_STATE for epoch {}, but the VM is in epoch {} ({})",
                                      m.epoch, status.epoch, vm_state_name(status.state)));
    }
    put_state_.emplace(m.epoch, "PUT_DEVICE_STATE");
  }
  put_state_->add(m);
  if (!put_state_->complete()) return;
  std::vector<std::byte> state = put_state_->take();
  put_state_.reset();
  const std::size_t bytes = state.size();
  spdlog::info("memserver: {} sent the device state of epoch {} back ({} bytes); loading it", channel_.peer(),
               m.epoch, bytes);
  DeviceStateAck ack{m.epoch, 0, {}};
  try {
    std::lock_guard lock(server_.vm_accept_mutex_);
    call_hook("accept_state", [&] { server_.config_.vm->accept_state(m.epoch, std::move(state)); });
    server_.peers_.vm_returned();
    std::lock_guard stats_lock(server_.stats_mutex_);
    ++server_.stats_.device_states_accepted;
  } catch (const ProtocolError& e) {
    // The hook failed: the client hears why in the ack; the connection stays open.
    spdlog::error("memserver: the device state of epoch {} from {} was not loaded: {}", m.epoch,
                  channel_.peer(), e.what());
    ack.result = static_cast<std::uint32_t>(e.code());
    ack.text = e.what();
  }
  send(ack);
}

}  // namespace jettison::emu
