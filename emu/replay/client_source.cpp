#include "emu/replay/client_source.hpp"

#include <fmt/format.h>

#include <chrono>
#include <thread>
#include <vector>

#include "emu/wire/errors.hpp"

namespace jettison::emu {

ClientSource::ClientSource(Endpoint endpoint, const TlsConfig& tls, ClientOptions options, int max_reconnects)
    : endpoint_(std::move(endpoint)),
      tls_(tls, TlsRole::kClient),
      options_(options),
      max_reconnects_(max_reconnects),
      client_(std::make_unique<PageClient>(endpoint_, tls_, options_)) {}

ClientSource::~ClientSource() {
  if (client_) client_->close();
}

void ClientSource::on_status(std::function<void(std::string_view)> cb) {
  std::lock_guard lock(mu_);
  status_ = std::move(cb);
}

void ClientSource::status(std::string_view s) {
  std::function<void(std::string_view)> cb;
  {
    std::lock_guard lock(mu_);
    cb = status_;
  }
  if (cb) cb(s);
}

std::uint64_t ClientSource::wire_bytes() const {
  std::lock_guard lock(mu_);
  const ChannelStats s = client_->stats();
  return closed_bytes_ + s.bytes_sent + s.bytes_received;
}

void ClientSource::fetch(std::span<const std::uint64_t> pages, const Place& place) {
  std::vector<std::uint64_t> missing(pages.begin(), pages.end());
  std::vector<std::uint8_t> arrived;
  for (int attempt = 0;; ++attempt) {
    if (cancelled_) throw SourceFailed("fetch cancelled");
    arrived.assign(missing.size(), 0);
    try {
      // get_pages answers in request order, so a running index finds each page's slot cheaply.
      std::size_t next = 0;
      client_->get_pages(missing, [&](std::uint64_t page, const std::byte* data) {
        while (next < missing.size() && missing[next] != page) ++next;
        if (next < missing.size()) arrived[next] = 1;
        place(page, data);
      });
      return;
    } catch (const PeerGone& e) {
      if (attempt >= max_reconnects_)
        throw SourceFailed(
            fmt::format("{}: gave up after {} reconnects: {}", endpoint_.to_string(), attempt, e.what()));
      status(fmt::format("{}: connection lost ({}): reconnecting", endpoint_.to_string(), e.what()));
    } catch (const WireError& e) {
      throw SourceFailed(fmt::format("{}: {}", endpoint_.to_string(), e.what()));
    }
    std::vector<std::uint64_t> still;
    for (std::size_t i = 0; i < missing.size(); ++i)
      if (!arrived[i]) still.push_back(missing[i]);
    missing = std::move(still);
    if (missing.empty()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100) * (1 << std::min(attempt, 4)));
    try {
      auto fresh = std::make_unique<PageClient>(endpoint_, tls_, options_);
      std::lock_guard lock(mu_);
      const ChannelStats s = client_->stats();
      closed_bytes_ += s.bytes_sent + s.bytes_received;
      client_ = std::move(fresh);
      ++reconnects_;
    } catch (const PeerGone&) {
      continue;  // the broken client fails the next attempt at once
    } catch (const WireError& e) {
      throw SourceFailed(fmt::format("{}: {}", endpoint_.to_string(), e.what()));
    }
    status(fmt::format("{}: reconnected", endpoint_.to_string()));
  }
}

}  // namespace jettison::emu
