// jettison-emu-bench: fault service latency (p50, p99) and pages per second of the userfaultfd page
// fetcher on this machine, over (a) a local image (the floor), (b) the wire protocol on loopback in
// plain TCP, (c) the same with TLS 1.3 PSK; each (i) demand faults one page at a time (random order,
// no prefetch) and (ii) with prefetch batching (sequential touching: the spatial prefetcher with
// radius 16, 64 and 256, and a streaming prefetcher whose window doubles while faults stay sequential, up to
// 1024 pages, the way lazy-restore tools stream memory). The memory server runs in this process on
// 127.0.0.1 (its own threads). Each figure is the median of --reps repetitions, each on a fresh region.
// Not a test: scripts/bench-emu.sh builds and runs it.
//
// The remote sources use ClientSource (emu/replay/client_source.hpp), the minimal PageSource over
// PageClient, until emu/remote/RemoteSource is there.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "emu/fetch/fetcher.hpp"
#include "emu/fetch/image_source.hpp"
#include "emu/memserver/memory_server.hpp"
#include "emu/replay/client_source.hpp"

namespace {

using namespace jettison;
using namespace jettison::emu;
using Clock = std::chrono::steady_clock;

// Streaming prefetch: after a fault at p, fetch p+1 .. p+window; the window doubles (up to `max`)
// while each fault lands where the previous window ended, and falls back to `min` otherwise.
class StreamPrefetcher final : public policy::Prefetcher {
 public:
  StreamPrefetcher(std::uint64_t pages, std::uint64_t min, std::uint64_t max)
      : pages_(pages), min_(min), max_(max) {}
  void on_migration(Time, std::vector<policy::PageId>&) override {}
  void on_fault(Time, policy::PageId page, std::vector<policy::PageId>& out) override {
    window_ = (page >= next_ && page <= next_ + 1) ? std::clamp(window_ * 2, min_, max_) : min_;
    for (std::uint64_t q = page + 1; q <= page + window_ && q < pages_; ++q) out.push_back(q);
    next_ = page + window_ + 1;
  }
  void on_period_end(std::span<const policy::PageId>) override {}
  std::unique_ptr<policy::Prefetcher> clone() const override {
    return std::make_unique<StreamPrefetcher>(*this);
  }

 private:
  std::uint64_t pages_, min_, max_, window_ = 0, next_ = 0;
};

// An image of `pages` pages; about 10% all zero (chosen by a hash), the rest pseudo-random words.
void make_image(const std::filesystem::path& path, std::uint64_t pages, std::uint64_t page_size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::vector<std::uint64_t> buf(page_size / 8);
  std::mt19937_64 rng(42);
  for (std::uint64_t p = 0; p < pages; ++p) {
    const bool zero = (p * 0x9E3779B97F4A7C15ull >> 32) % 10 == 0;
    for (auto& w : buf) w = zero ? 0 : rng();
    out.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(page_size));
  }
  if (!out) throw std::runtime_error(fmt::format("cannot write {}", path.string()));
}

struct Sample {
  double p50_us = 0, p99_us = 0, pages_per_s = 0;
  std::uint64_t faults = 0, fetched = 0;
};

double us(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1000.0; }

// One repetition: a fresh region served by a fresh fetcher over `source`; touches `order` (one read
// per page, through the region) and times it.
Sample run_once(PageSource& source, std::unique_ptr<policy::Prefetcher> prefetcher,
                const std::vector<std::uint64_t>& order, const FetcherOptions& options) {
  UffdRegion region = UffdRegion::create(source.pages(), /*write_protect=*/false);
  Fetcher fetcher(region, source, std::move(prefetcher), nullptr, options);
  fetcher.start();
  const std::uint64_t ps = source.page_size();
  volatile const std::byte* base = region.local_data();
  std::uint64_t sum = 0;
  const auto t0 = Clock::now();
  for (std::uint64_t p : order) sum += static_cast<std::uint64_t>(base[p * ps + 8]);
  const auto wall = Clock::now() - t0;
  fetcher.stop();
  const FetchStats s = fetcher.stats();
  const auto lat = fetcher.latency_samples();
  Sample out;
  out.p50_us = us(percentile(lat, 0.5));
  out.p99_us = us(percentile(lat, 0.99));
  out.pages_per_s = static_cast<double>(order.size()) / std::chrono::duration<double>(wall).count();
  out.faults = s.faults;
  out.fetched = s.pages_fetched();
  if (sum == 1) fmt::print("");  // keeps the loads
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"jettison-emu-bench: userfaultfd fault service latency and throughput on loopback"};
  std::string image_path = "/dev/shm/jettison-emu-bench.img";
  std::uint64_t image_mib = 256, demand_pages = 10000, sequential_pages = 32768;
  int reps = 3;
  bool keep = false;
  FetcherOptions fopts;
  std::uint32_t request_pages = ClientOptions{}.max_pages_per_request;
  std::string only;
  app.add_option("--image", image_path, "image file to create (tmpfs keeps disk out of the figures)");
  app.add_option("--image-mib", image_mib, "image size in MiB (default 256)");
  app.add_option("--demand-pages", demand_pages,
                 "distinct random pages touched in demand mode (default 10000)");
  app.add_option("--sequential-pages", sequential_pages,
                 "pages touched in order in batched mode (default 32768)");
  app.add_option("--reps", reps, "repetitions; the median is shown (default 3)")->check(CLI::PositiveNumber);
  app.add_flag("--keep-image", keep, "leave the image file in place");
  app.add_option(
      "--run-pages", fopts.max_run_pages,
      fmt::format("prefetched pages placed with one ioctl at most (default {})", fopts.max_run_pages));
  app.add_option("--request-pages", request_pages,
                 fmt::format("pages per GET_PAGES request (default {})", request_pages));
  app.add_option("--only", only, "run only the sources and modes whose name contains this text");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  const auto ps = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  const std::uint64_t pages = image_mib * (1u << 20) / ps;
  demand_pages = std::min(demand_pages, pages);
  sequential_pages = std::min(sequential_pages, pages);
  if (auto why = userfaultfd_unavailable()) {
    fmt::print(stderr, "userfaultfd unavailable: {}\n", *why);
    return 1;
  }
  make_image(image_path, pages, ps);

  std::vector<unsigned char> key(32);
  std::mt19937 krng(std::random_device{}());
  for (auto& b : key) b = static_cast<unsigned char>(krng());
  const TlsConfig psk = TlsConfig::psk("bench", key);

  auto server_for = [&](const TlsConfig& tls) {
    MemoryServerConfig c;
    c.image_path = image_path;
    c.page_size = static_cast<std::uint32_t>(ps);
    c.listen_host = "127.0.0.1";
    c.tls = tls;
    auto s = std::make_unique<MemoryServer>(c);
    s->start();
    return s;
  };
  auto plain_server = server_for(TlsConfig::insecure_plain_tcp());
  auto tls_server = server_for(psk);
  ClientOptions copts;
  copts.page_size = static_cast<std::uint32_t>(ps);
  copts.max_pages_per_request = request_pages;

  struct Source {
    std::string name;
    std::function<std::unique_ptr<PageSource>()> make;
  };
  std::vector<Source> sources{
      {"local image",
       [&]() -> std::unique_ptr<PageSource> { return std::make_unique<ImageSource>(image_path, ps); }},
      {"TCP plain",
       [&]() -> std::unique_ptr<PageSource> {
         return std::make_unique<ClientSource>(Endpoint{"127.0.0.1", plain_server->port()},
                                               TlsConfig::insecure_plain_tcp(), copts);
       }},
      {"TLS 1.3 PSK",
       [&]() -> std::unique_ptr<PageSource> {
         return std::make_unique<ClientSource>(Endpoint{"127.0.0.1", tls_server->port()}, psk, copts);
       }},
  };

  std::vector<std::uint64_t> random_order(pages);
  for (std::uint64_t i = 0; i < pages; ++i) random_order[i] = i;
  std::vector<std::uint64_t> sequential(sequential_pages);
  for (std::uint64_t i = 0; i < sequential_pages; ++i) sequential[i] = i;

  struct Mode {
    std::string name;
    const std::vector<std::uint64_t>* order;
    std::function<std::unique_ptr<policy::Prefetcher>()> prefetcher;
  };
  policy::PrefetchParams r16, r64, r256;
  r16.radius = 16;
  r64.radius = 64;
  r256.radius = 256;
  const policy::VmShape vm{pages, Bytes::of(ps)};
  std::vector<std::uint64_t> demand_order;
  std::vector<Mode> modes{
      {"demand, random, no prefetch", &demand_order, [&] { return make_prefetcher("none", {}, vm); }},
      {"sequential, spatial r16", &sequential, [&] { return make_prefetcher("spatial", r16, vm); }},
      {"sequential, spatial r64", &sequential, [&] { return make_prefetcher("spatial", r64, vm); }},
      {"sequential, spatial r256", &sequential, [&] { return make_prefetcher("spatial", r256, vm); }},
      {"sequential, stream 16..1024", &sequential,
       [&] { return std::make_unique<StreamPrefetcher>(pages, 16, 1024); }},
  };

  fmt::print(
      "image {} MiB ({} pages of {} B, ~10% zero) in {}; {} repetitions, median shown; runs of up to {} "
      "pages, {} pages per request\n",
      image_mib, pages, ps, image_path, reps, fopts.max_run_pages, request_pages);
  fmt::print(
      "| source | mode | pages touched | faults | fetched | fault p50 us | fault p99 us | pages/s touched "
      "|\n");
  fmt::print("|---|---|---:|---:|---:|---:|---:|---:|\n");
  std::mt19937_64 rng(7);
  for (const Source& src : sources) {
    for (const Mode& mode : modes) {
      if (!only.empty() && (src.name + ", " + mode.name).find(only) == std::string::npos) continue;
      std::vector<double> p50, p99, rate;
      Sample last;
      for (int rep = 0; rep < reps; ++rep) {
        if (mode.order == &demand_order) {
          std::shuffle(random_order.begin(), random_order.end(), rng);
          demand_order.assign(random_order.begin(),
                              random_order.begin() + static_cast<std::ptrdiff_t>(demand_pages));
        }
        auto source = src.make();
        last = run_once(*source, mode.prefetcher(), *mode.order, fopts);
        p50.push_back(last.p50_us);
        p99.push_back(last.p99_us);
        rate.push_back(last.pages_per_s);
      }
      fmt::print("| {} | {} | {} | {} | {} | {:.1f} | {:.1f} | {:.0f} |\n", src.name, mode.name,
                 mode.order->size(), last.faults, last.fetched, median(p50), median(p99), median(rate));
    }
  }
  plain_server->stop();
  tls_server->stop();
  if (!keep) std::filesystem::remove(image_path);
  return 0;
}
