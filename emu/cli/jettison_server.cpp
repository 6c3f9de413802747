// jettison-server: the consolidation server's side of one partially migrated desktop. Connects to the
// desktop agent (jettison-desktop), serves the faults of the VM's memory from it through userfaultfd
// (the Fetcher, with a prefetcher), lets a sleep rule put the desktop to sleep when it is not needed
// (SleepController; the next fault wakes it with a magic packet), and on SIGINT/SIGTERM (or after
// --run-for) reintegrates: the dirty pages go back to the desktop with their current content. Then it
// prints what happened: faults, pages, fault latency, wake-ups, sleeps, dirty pages, write-back.
//
// The memory comes from a VM process that hands its registered userfaultfd over a UNIX socket
// (--uffd-socket, emu/fetch/uffd_handover.hpp), or, for tests, from a region the server maps itself
// (--local-region; --touch-pages N reads its first N pages once, as a smoke test).
//
//   jettison-server --connect 10.0.0.1:7000 --psk-file psk.hex --psk-identity desk-1
//       --wol-interface eth0 --desktop-mac 52:54:00:12:34:56 --uffd-socket /run/jettison/vm1.sock
//       --prefetch spatial --sleep timeout --sleep-timeout 10s
//
// Exit 2 on bad flags (the message names the flag), 1 on a runtime failure (the desktop refused our
// key, the fetcher failed, the write-back failed), 0 otherwise. Why a fault waits (desktop asleep,
// unreachable, reconnecting) is logged as it happens.
#include <fmt/format.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/input_error.hpp"
#include "common/units.hpp"
#include "emu/fetch/fetcher.hpp"
#include "emu/fetch/uffd_handover.hpp"
#include "emu/remote/remote_source.hpp"
#include "emu/server/remote_flags.hpp"
#include "emu/server/sleep_controller.hpp"
#include "emu/tool/cli_main.hpp"

namespace {

using namespace jettison;
using namespace jettison::emu;
using Clock = std::chrono::steady_clock;

struct Flags {
  RemoteFlags remote;
  SleepFlags sleep;
  std::string uffd_socket, prefetch = "none", run_for, log_level = "info";
  bool local_region = false, no_dirty_tracking = false, no_write_back = false;
  std::uint32_t radius = 16;
  std::uint64_t touch_pages = 0;
};

// SIGINT/SIGTERM, polled: blocked in every thread (set before any is started), taken here.
class Signals {
 public:
  Signals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  // Waits up to `wait` for a signal; its name, or empty.
  std::string wait(std::chrono::milliseconds wait) {
    timespec ts{static_cast<time_t>(wait.count() / 1000),
                static_cast<long>((wait.count() % 1000) * 1'000'000)};
    const int sig = sigtimedwait(&set_, nullptr, &ts);
    if (sig == SIGINT) return "SIGINT";
    if (sig == SIGTERM) return "SIGTERM";
    return {};
  }

 private:
  sigset_t set_;
};

// Listens on `path`, accepts one VM process and receives its uffd. Returns nullopt when a signal came
// first. The socket file is removed afterwards.
std::optional<ReceivedUffd> receive_from_vm(const std::string& path, Signals& signals) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) throw InputError("--uffd-socket", "path too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener) throw std::runtime_error(fmt::format("socket: {}", std::strerror(errno)));
  std::error_code ec;
  if (std::filesystem::is_socket(path, ec)) std::filesystem::remove(path, ec);  // a stale one of ours
  if (::bind(listener.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    throw InputError("--uffd-socket", fmt::format("cannot bind '{}': {}", path, std::strerror(errno)));
  struct Unlink {
    std::string p;
    ~Unlink() { ::unlink(p.c_str()); }
  } unlink_at_end{path};
  if (::listen(listener.get(), 1) != 0)
    throw std::runtime_error(fmt::format("listen: {}", std::strerror(errno)));
  spdlog::info("jettison-server: waiting for a VM to hand its userfaultfd over {}", path);
  while (true) {
    pollfd p{listener.get(), POLLIN, 0};
    const int n = ::poll(&p, 1, 200);
    if (n > 0) break;
    if (n < 0 && errno != EINTR) throw std::runtime_error(fmt::format("poll: {}", std::strerror(errno)));
    if (const std::string sig = signals.wait(std::chrono::milliseconds(0)); !sig.empty()) {
      spdlog::info("jettison-server: {} received while waiting for the VM", sig);
      return std::nullopt;
    }
  }
  UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!conn) throw std::runtime_error(fmt::format("accept: {}", std::strerror(errno)));
  ReceivedUffd r = receive_uffd(conn.get());
  spdlog::info("jettison-server: received the uffd of pid {}: {} pages of {} bytes at {:#x}{}", r.owner,
               r.region.pages(), r.region.page_size, r.region.base,
               r.region.write_protect ? " (dirty tracking)" : "");
  return r;
}

double micros(std::chrono::nanoseconds ns) { return static_cast<double>(ns.count()) / 1000.0; }

int run(const Flags& f) {
  // Every flag is checked before anything is connected or mapped.
  if (f.local_region == !f.uffd_socket.empty())
    throw InputError("--uffd-socket", "give exactly one of --uffd-socket PATH and --local-region");
  if (f.touch_pages > 0 && !f.local_region) throw InputError("--touch-pages", "only with --local-region");
  const auto page_size = static_cast<std::uint32_t>(::sysconf(_SC_PAGESIZE));
  const RemoteSourceConfig config = remote_source_config(f.remote, page_size);
  const policy::SleepParams sleep = sleep_params(f.sleep);
  std::optional<Duration> run_for;
  if (!f.run_for.empty()) {
    try {
      run_for = parse_duration(f.run_for);
    } catch (const std::exception& e) {
      throw InputError("--run-for", e.what());
    }
  }
  policy::PrefetchParams prefetch_params;
  prefetch_params.radius = f.radius;
  (void)make_prefetcher(f.prefetch, prefetch_params, {1, Bytes::of(page_size)});  // checks the name

  Signals signals;              // before any thread starts
  RemoteSource source(config);  // connects (waking the desktop if needed); a refused key fails here
  const SessionInfo session = source.session();
  spdlog::info("jettison-server: desktop {} serves {} pages of {} bytes (image {:#x}, generation {})",
               source.peer(), session.image_pages, session.page_size, session.image_id, session.generation);

  std::optional<UffdRegion> region;
  if (f.local_region) {
    region.emplace(UffdRegion::create(source.pages(), !f.no_dirty_tracking));
  } else {
    std::optional<ReceivedUffd> received = receive_from_vm(f.uffd_socket, signals);
    if (!received) return 0;
    if (received->region.page_size != source.page_size())
      throw std::runtime_error(fmt::format("the VM's pages are {} bytes, the desktop's {}",
                                           received->region.page_size, source.page_size()));
    if (received->region.pages() > source.pages())
      throw std::runtime_error(
          fmt::format("the VM's region ({} pages) is larger than the desktop's image ({})",
                      received->region.pages(), source.pages()));
    region.emplace(UffdRegion::adopt(std::move(*received)));
  }

  std::unique_ptr<policy::SleepScheduler> scheduler;
  if (!f.sleep.rule.empty()) scheduler = make_sleep_scheduler(f.sleep.rule, sleep, default_sleep_costs());
  Fetcher fetcher(*region, source,
                  make_prefetcher(f.prefetch, prefetch_params, {region->pages(), Bytes::of(page_size)}),
                  std::move(scheduler));
  fetcher.start();
  FetcherClock clock(fetcher);
  RemoteDesktop desktop(source);
  std::optional<SleepController> controller;
  if (!f.sleep.rule.empty()) controller.emplace(clock, desktop);
  if (controller) controller->start();
  spdlog::info("jettison-server: serving faults (prefetch {}, sleep rule {}); SIGINT/SIGTERM to reintegrate",
               f.prefetch, f.sleep.rule.empty() ? "none" : f.sleep.rule);

  // Test mode: read the first pages of the local region once, from a thread of its own (a fault
  // blocks it while the desktop is woken).
  std::atomic<bool> touched{f.touch_pages == 0};
  std::thread toucher;
  if (f.touch_pages > 0) {
    toucher = std::thread([&] {
      const std::uint64_t n = std::min<std::uint64_t>(f.touch_pages, region->pages());
      volatile const std::byte* mem = region->local_data();
      std::uint64_t sum = 0;
      for (std::uint64_t p = 0; p < n; ++p) sum += static_cast<std::uint64_t>(mem[p * page_size]);
      spdlog::info("jettison-server: touched {} pages (checksum {})", n, sum);
      touched = true;
    });
  }

  const auto started = Clock::now();
  std::string why;
  while (why.empty()) {
    if (std::string sig = signals.wait(std::chrono::milliseconds(100)); !sig.empty()) why = sig + " received";
    if (run_for && Clock::now() - started >= std::chrono::microseconds(run_for->us()) && touched)
      why = "--run-for elapsed";
    if (fetcher.state() == Fetcher::State::kOwnerGone) why = "the VM process is gone";
    if (fetcher.state() == Fetcher::State::kFailed) why = "the fetcher failed";
  }
  spdlog::info("jettison-server: {}: stopping and reintegrating", why);
  // No decisions while reintegrating; the fetcher stops first, releasing a decision that waits for a
  // paused fetch.
  if (controller) controller->request_stop();
  fetcher.stop();
  if (controller) controller->stop();
  if (toucher.joinable()) {
    if (!touched) {
      // Its fault can no longer be served: unregister, so the kernel fills the page and it returns.
      uffdio_range range{region->info().base, region->info().length};
      (void)::ioctl(region->fd(), UFFDIO_UNREGISTER, &range);
    }
    toucher.join();
  }
  fetcher.end_period();

  const FetchStats stats = fetcher.stats();
  const auto latencies = fetcher.latency_samples();
  int code = 0;
  if (fetcher.state() == Fetcher::State::kFailed) {
    fmt::print(stderr, "jettison-server: error: {}\n", fetcher.error());
    code = 1;
  }

  // Reintegration: the dirty pages with their current content.
  const std::vector<std::uint64_t> dirty = fetcher.dirty_pages();
  std::optional<RemoteWriteBackResult> written;
  if (!f.no_write_back && !dirty.empty()) {
    std::vector<std::byte> content(dirty.size() * page_size);
    std::vector<DirtyPage> pages;
    pages.reserve(dirty.size());
    try {
      for (std::size_t i = 0; i < dirty.size(); ++i) {
        std::span<std::byte> out(content.data() + i * page_size, page_size);
        fetcher.read_page(dirty[i], out);
        pages.push_back(DirtyPage{dirty[i], out});
      }
      written = source.write_back(pages);
    } catch (const std::exception& e) {
      fmt::print(stderr, "jettison-server: error: write-back of {} dirty pages to {} failed: {}\n",
                 dirty.size(), source.peer(), e.what());
      code = 1;
    }
  }

  const RemoteSourceStats rs = source.stats();
  fmt::print("faults {} (+{} duplicate, {} write-protect); pages {} ({} demand, {} prefetched, {} zero)\n",
             stats.faults, stats.duplicate_faults, stats.wp_faults, stats.pages_fetched(), stats.demand_pages,
             stats.prefetched_pages, stats.zero_pages);
  fmt::print("fault latency p50 {:.1f} us, p99 {:.1f} us ({} samples)\n", micros(percentile(latencies, 0.5)),
             micros(percentile(latencies, 0.99)), stats.latency_samples);
  fmt::print("wake-ups {} ({} magic packets, {} reconnects, paused {:.3f} s in all); sleeps {}\n", rs.wakeups,
             rs.magic_packets, rs.reconnects, rs.paused.seconds_f(), rs.sleeps);
  if (controller) {
    const SleepSummary s = controller->summary();
    fmt::print("sleep rule {}: {} decisions, {} sleeps, {} followed by a fault, {} wakes\n", f.sleep.rule,
               s.decisions, s.sleeps, s.sleeps_then_fault, s.wakes);
  }
  fmt::print("dirty pages {}\n", dirty.size());
  if (written)
    fmt::print("write-back: {} pages, {} bytes in {:.1f} ms ({} attempts, image generation {})\n",
               written->pages, written->bytes.count(), static_cast<double>(written->elapsed.us()) / 1000.0,
               written->attempts, written->generation);
  else
    fmt::print("write-back: none ({})\n", f.no_write_back ? "--no-write-back"
                                          : dirty.empty() ? "nothing dirty"
                                                          : "failed");
  std::fflush(stdout);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"jettison-server: serve a migrated VM's memory from its sleeping desktop, then reintegrate"};
  Flags f;
  app.add_option("--connect", f.remote.connect, "HOST:PORT of the desktop agent (jettison-desktop)")
      ->required();
  app.add_option("--psk-file", f.remote.psk_file, "TLS pre-shared key file (hex)");
  app.add_option("--psk-identity", f.remote.psk_identity, "TLS pre-shared key identity");
  app.add_flag("--insecure-plain-tcp", f.remote.insecure, "no TLS (benchmarks on loopback only)");
  app.add_option("--wol-interface", f.remote.wol_interface, "send magic packets out of this interface");
  app.add_option("--desktop-mac", f.remote.desktop_mac, "the desktop NIC's MAC (for the magic packets)");
  app.add_option("--wol-password", f.remote.wol_password, "SecureOn password for the magic packets");
  app.add_flag("--wol-raw", f.remote.wol_raw, "magic packets as raw EtherType 0x0842 frames (default UDP)");
  app.add_option("--connect-timeout", f.remote.connect_timeout, "one connection attempt (default 2s)");
  app.add_option("--give-up-after", f.remote.give_up_after,
                 "fail when the desktop stays unreachable this long (default: keep trying)");
  app.add_option("--uffd-socket", f.uffd_socket, "UNIX socket a VM process hands its userfaultfd over");
  app.add_flag("--local-region", f.local_region, "map a region here instead (tests)");
  app.add_flag("--no-dirty-tracking", f.no_dirty_tracking, "--local-region: register MISSING only");
  app.add_option("--touch-pages", f.touch_pages, "--local-region: read its first N pages once (smoke test)");
  app.add_option("--prefetch", f.prefetch, "prefetcher: none, spatial, history, markov (default none)");
  app.add_option("--radius", f.radius, "spatial prefetcher: pages on each side of a fault (default 16)");
  app.add_option("--sleep", f.sleep.rule,
                 "sleep rule: timeout, break-even, adaptive, learning-augmented (default: never sleep)");
  app.add_option("--sleep-timeout", f.sleep.timeout, "timeout rule: time awake after the last request (30s)");
  app.add_option("--sleep-trust", f.sleep.trust, "learning-augmented rule: trust in (0, 1] (default 0.5)");
  app.add_option("--sleep-history", f.sleep.history, "adaptive rules: gaps remembered (default 8)");
  app.add_flag("--no-write-back", f.no_write_back, "do not reintegrate the dirty pages at the end");
  app.add_option("--run-for", f.run_for, "reintegrate and exit after this long (tests)");
  add_log_level(app, f.log_level);
  return run_cli("jettison-server", app, argc, argv, f.log_level, [&] { return run(f); });
}
