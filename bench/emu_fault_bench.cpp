// jettison-emu-bench: fault service latency (p50, p99) and pages per second of the userfaultfd page
// fetcher on this machine, over (a) a local image (the floor), (b) the wire protocol on loopback in
// plain TCP, (c) the same with TLS 1.3 PSK; each (i) demand faults one page at a time (random order,
// no prefetch) and (ii) with prefetch batching (sequential touching: the spatial prefetcher with
// radius 16, 64 and 256, and a streaming prefetcher whose window doubles while faults stay sequential, up to
// 1024 pages, the way lazy-restore tools stream memory). The memory server runs in this process on
// 127.0.0.1 (its own threads). Each figure is the median of --reps repetitions, each on a fresh region.
// Not a test: scripts/bench-emu.sh builds and runs it.
//
// With --veth (root), (b) and (c) run a second time across a veth pair between two network
// namespaces this process creates (tests/emu/support/netns_pair.hpp) and removes on exit, on error
// and on SIGINT/SIGTERM/SIGHUP: the memory servers are started in the "desktop" namespace (their
// listening sockets, and so the accepted connections, live there), and each repetition runs in a
// thread that joined the "server" namespace: it opens the client connection, and the fetcher thread
// and the touching thread it starts inherit that namespace (so a reconnect would land there too).
//
// The remote sources are the emulator's own RemoteSource (emu/remote/remote_source.hpp), without
// Wake-on-LAN: the desktop never sleeps here.
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
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
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "common/version/version.hpp"
#include "emu/fetch/fetcher.hpp"
#include "emu/fetch/image_source.hpp"
#include "emu/memserver/memory_server.hpp"
#include "emu/remote/remote_source.hpp"
#include "tests/emu/support/netns_pair.hpp"

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

// What must go when the process is interrupted: the namespaces and the image. The signal thread
// removes them and exits; normal exits and errors go through the destructors instead.
struct Cleanup {
  std::mutex mu;
  std::vector<std::string> namespaces;
  std::string image;  // empty: keep it
};
Cleanup& cleanup() {
  static Cleanup c;
  return c;
}

// Blocks SIGINT, SIGTERM and SIGHUP in this thread and every thread started after (call it first),
// and starts a thread that waits for them: it removes what cleanup() lists and exits 128 + signal.
// A thread blocked in a fault cannot hold the exit up this way.
void install_signal_cleanup() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, sig);
  if (int rc = ::pthread_sigmask(SIG_BLOCK, &set, nullptr); rc != 0)
    throw std::runtime_error(fmt::format("pthread_sigmask: {}", std::strerror(rc)));
  std::thread([set] {
    int sig = 0;
    while (::sigwait(&set, &sig) != 0) {
    }
    std::lock_guard lock(cleanup().mu);
    for (const std::string& ns : cleanup().namespaces) testing::run_shell("ip netns del " + ns);
    if (!cleanup().image.empty()) {
      std::error_code ec;
      std::filesystem::remove(cleanup().image, ec);
    }
    fmt::print(stderr, "interrupted (signal {}): namespaces and image removed\n", sig);
    std::fflush(stdout);
    ::_exit(128 + sig);
  }).detach();
}

// The veth pair for --veth, listed in cleanup() while it exists.
class VethPair {
 public:
  VethPair() : pair_(std::make_unique<testing::NetnsPair>()) {
    std::lock_guard lock(cleanup().mu);
    cleanup().namespaces = pair_->names();
  }
  ~VethPair() {
    std::lock_guard lock(cleanup().mu);
    pair_.reset();
    cleanup().namespaces.clear();
  }
  VethPair(const VethPair&) = delete;
  VethPair& operator=(const VethPair&) = delete;
  const testing::NetnsPair& pair() const { return *pair_; }

  // "mtu 1500, qdisc noqueue" of one end, as `ip link` reports it, and the offloads that matter.
  static std::string describe(const testing::NetnsPair::Side& side) {
    const std::string link =
        testing::run_shell("ip -n " + side.ns + " -o link show dev " + side.ifname).output;
    std::smatch m;
    std::string out;
    if (std::regex_search(link, m, std::regex("mtu (\\d+)"))) out += "mtu " + m[1].str();
    if (std::regex_search(link, m, std::regex("qdisc (\\S+)"))) out += ", qdisc " + m[1].str();
    if (std::regex_search(link, m, std::regex("qlen (\\d+)"))) out += ", qlen " + m[1].str();
    return out;
  }

 private:
  std::unique_ptr<testing::NetnsPair> pair_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"jettison-emu-bench: userfaultfd fault service latency and throughput on loopback and veth"};
  std::string image_path = "/dev/shm/jettison-emu-bench.img";
  std::uint64_t image_mib = 256, demand_pages = 10000, sequential_pages = 32768;
  int reps = 3;
  bool keep = false, veth = false;
  std::uint32_t veth_mtu = 0;
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
  app.add_flag("--veth", veth,
               "also run the TCP and TLS cases across a veth pair between two network namespaces (root; "
               "the namespaces are removed on exit)");
  app.add_option("--veth-mtu", veth_mtu, "set both veth ends to this MTU (default: leave the kernel's 1500)");
  app.add_option(
      "--run-pages", fopts.max_run_pages,
      fmt::format("prefetched pages placed with one ioctl at most (default {})", fopts.max_run_pages));
  app.add_option("--request-pages", request_pages,
                 fmt::format("pages per GET_PAGES request (default {})", request_pages));
  app.add_option("--only", only,
                 "run only the rows whose 'path, source, mode' contains this text (e.g. 'veth, TLS')");
  app.set_version_flag("--version", jettison::version_line("jettison-emu-bench"));
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
  if (veth) {
    if (auto why = testing::netns_unavailable_reason()) {
      fmt::print(stderr, "--veth: {}\n", *why);
      return 1;
    }
  }
  try {
    install_signal_cleanup();
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 1;
  }
  {
    std::lock_guard lock(cleanup().mu);
    if (!keep) cleanup().image = image_path;
  }
  int status = 0;
  try {
    make_image(image_path, pages, ps);

    std::vector<unsigned char> key(32);
    std::mt19937 krng(std::random_device{}());
    for (auto& b : key) b = static_cast<unsigned char>(krng());
    const TlsConfig psk = TlsConfig::psk("bench", key);
    const TlsConfig plain = TlsConfig::insecure_plain_tcp();

    auto server_for = [&](const TlsConfig& tls, const std::string& host) {
      MemoryServerConfig c;
      c.image_path = image_path;
      c.page_size = static_cast<std::uint32_t>(ps);
      c.listen_host = host;
      c.tls = tls;
      auto s = std::make_unique<MemoryServer>(c);
      s->start();
      return s;
    };
    ClientOptions copts;
    copts.page_size = static_cast<std::uint32_t>(ps);
    copts.max_pages_per_request = request_pages;

    // A row source: where it runs (ns: the namespace the client side joins; empty: this one).
    struct Source {
      std::string path, name, ns;
      std::function<std::unique_ptr<PageSource>()> make;
    };
    std::vector<Source> sources;
    std::vector<std::unique_ptr<MemoryServer>> servers;
    // A source over the network (RemoteSource, no magic packets); a stuck connection fails the run.
    auto remote = [&](const std::string& host, std::uint16_t port, const TlsConfig& tls) {
      RemoteSourceConfig c;
      c.endpoint = Endpoint{host, port};
      c.tls = tls;
      c.client = copts;
      c.give_up_after = Duration::seconds(10);
      return std::make_unique<RemoteSource>(std::move(c));
    };
    auto add_network = [&](const std::string& path, const std::string& ns, const std::string& host,
                           std::unique_ptr<MemoryServer> plain_server,
                           std::unique_ptr<MemoryServer> tls_server) {
      const std::uint16_t plain_port = plain_server->port(), tls_port = tls_server->port();
      servers.push_back(std::move(plain_server));
      servers.push_back(std::move(tls_server));
      sources.push_back({path, "TCP plain", ns, [&, host, plain_port]() -> std::unique_ptr<PageSource> {
                           return remote(host, plain_port, plain);
                         }});
      sources.push_back({path, "TLS 1.3 PSK", ns, [&, host, tls_port]() -> std::unique_ptr<PageSource> {
                           return remote(host, tls_port, psk);
                         }});
    };
    sources.push_back({"-", "local image", "", [&]() -> std::unique_ptr<PageSource> {
                         return std::make_unique<ImageSource>(image_path, ps);
                       }});
    add_network("loopback", "", "127.0.0.1", server_for(plain, "127.0.0.1"), server_for(psk, "127.0.0.1"));
    std::unique_ptr<VethPair> vp;
    std::string veth_note;
    if (veth) {
      vp = std::make_unique<VethPair>();
      const auto& desktop = vp->pair().desktop();
      const auto& server = vp->pair().server();
      for (const auto* side : {&desktop, &server}) {
        if (veth_mtu == 0) break;
        const auto r = testing::run_shell(
            fmt::format("ip -n {} link set dev {} mtu {}", side->ns, side->ifname, veth_mtu));
        if (r.status != 0) throw std::runtime_error("--veth-mtu: " + r.output);
      }
      // The listening sockets are made by start(), in a thread inside the desktop namespace.
      std::unique_ptr<MemoryServer> vplain, vtls;
      testing::NetnsPair::run_in(desktop.ns, [&] {
        vplain = server_for(plain, desktop.address);
        vtls = server_for(psk, desktop.address);
      });
      add_network("veth", server.ns, desktop.address, std::move(vplain), std::move(vtls));
      veth_note =
          fmt::format("veth: server side {} {} ({}) -> desktop side {} {} ({})", server.ns, server.ifname,
                      VethPair::describe(server), desktop.ns, desktop.ifname, VethPair::describe(desktop));
    }

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
    if (!veth_note.empty()) fmt::print("{}\n", veth_note);
    fmt::print(
        "| path | source | mode | pages touched | faults | fetched | fault p50 us | fault p99 us | pages/s "
        "touched |\n");
    fmt::print("|---|---|---|---:|---:|---:|---:|---:|---:|\n");
    std::fflush(stdout);
    std::mt19937_64 rng(7);
    for (const Source& src : sources) {
      for (const Mode& mode : modes) {
        if (!only.empty() && (src.path + ", " + src.name + ", " + mode.name).find(only) == std::string::npos)
          continue;
        std::vector<double> p50, p99, rate;
        Sample last;
        for (int rep = 0; rep < reps; ++rep) {
          if (mode.order == &demand_order) {
            std::shuffle(random_order.begin(), random_order.end(), rng);
            demand_order.assign(random_order.begin(),
                                random_order.begin() + static_cast<std::ptrdiff_t>(demand_pages));
          }
          // The client connection, the fetcher thread and the touching thread all in src.ns.
          auto one = [&] {
            auto source = src.make();
            Sample s = run_once(*source, mode.prefetcher(), *mode.order, fopts);
            if (auto* c = dynamic_cast<RemoteSource*>(source.get()); c && c->stats().reconnects > 0)
              fmt::print(stderr, "warning: {}, {}, {}: {} reconnects in repetition {}\n", src.path, src.name,
                         mode.name, c->stats().reconnects, rep);
            return s;
          };
          last = src.ns.empty() ? one() : testing::NetnsPair::run_in(src.ns, one);
          p50.push_back(last.p50_us);
          p99.push_back(last.p99_us);
          rate.push_back(last.pages_per_s);
        }
        fmt::print("| {} | {} | {} | {} | {} | {} | {:.1f} | {:.1f} | {:.0f} |\n", src.path, src.name,
                   mode.name, mode.order->size(), last.faults, last.fetched, median(p50), median(p99),
                   median(rate));
        std::fflush(stdout);
      }
    }
    if (vp) {  // evidence that the veth rows crossed the veth
      const auto& side = vp->pair().server();
      auto counter = [&](const std::string& name) {
        return testing::NetnsPair::exec(side.ns, "cat /sys/class/net/" + side.ifname + "/statistics/" + name)
            .output;
      };
      std::string rx = counter("rx_bytes"), tx = counter("tx_bytes");
      rx.erase(rx.find_last_not_of(" \n") + 1);
      tx.erase(tx.find_last_not_of(" \n") + 1);
      fmt::print("veth {} ({} side) carried rx {} B, tx {} B\n", side.ifname, side.ns, rx, tx);
    }
    for (auto& s : servers) s->stop();
    servers.clear();
    vp.reset();
  } catch (const std::exception& e) {
    fmt::print(stderr, "jettison-emu-bench: {}\n", e.what());
    status = 1;
  }
  std::lock_guard lock(cleanup().mu);
  if (!keep) {
    std::error_code ec;
    std::filesystem::remove(image_path, ec);
  }
  return status;
}
