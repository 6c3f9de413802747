// A minimal PageSource over PageClient, kept only for the fault benchmark (bench/emu_fault_bench.cpp);
// jettison-replay and jettison-server use RemoteSource (emu/remote/: Wake-on-LAN, reconnect with
// backoff, sleep, write-back), which supersedes it: remove this once the benchmark moves over. It connects on
// construction, fetches each request with one pipelined get_pages(), and on a lost connection
// reconnects a bounded number of times (re-sending the pages still missing); it never wakes a
// sleeping desktop, so wakeups() is always 0. Authentication and protocol errors are permanent
// (SourceFailed). Used from one thread at a time (the fetcher's loop).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>

#include "emu/fetch/page_source.hpp"
#include "emu/wire/page_client.hpp"
#include "emu/wire/tls_context.hpp"

namespace jettison::emu {

class ClientSource final : public PageSource {
 public:
  // Throws what PageClient throws when the first connection fails.
  ClientSource(Endpoint endpoint, const TlsConfig& tls, ClientOptions options = {}, int max_reconnects = 5);
  ~ClientSource() override;

  std::uint64_t page_size() const override { return client_->session().page_size; }
  std::uint64_t pages() const override { return client_->session().image_pages; }
  void fetch(std::span<const std::uint64_t> pages, const Place& place) override;
  void on_status(std::function<void(std::string_view)> cb) override;
  void cancel() override { cancelled_ = true; }

  std::uint64_t wakeups() const { return 0; }
  std::uint64_t reconnects() const { return reconnects_; }
  // Frame bytes both ways (before TLS) over every connection so far.
  std::uint64_t wire_bytes() const;

 private:
  void status(std::string_view s);

  Endpoint endpoint_;
  TlsContext tls_;
  ClientOptions options_;
  int max_reconnects_;
  std::unique_ptr<PageClient> client_;
  std::atomic<bool> cancelled_{false};
  std::atomic<std::uint64_t> reconnects_{0};
  std::uint64_t closed_bytes_ = 0;  // wire bytes of earlier connections
  mutable std::mutex mu_;           // guards status_, client_ swaps against wire_bytes()
  std::function<void(std::string_view)> status_;
};

}  // namespace jettison::emu
