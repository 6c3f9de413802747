// jettison-desktop under a flood of connections that never send anything, on loopback (a child
// process, so its threads and descriptors are counted alone in /proc): 400 connections from
// 127.0.0.1 leave its threads and descriptors within the connection limits plus a small constant; a
// client that was in before the flood keeps fetching the image's bytes, and one from 127.0.0.2 gets
// in during it (the per-peer limit holds 127.0.0.1 only); every flood connection is closed, at once
// (over the limits) or at the handshake deadline. Label e2e: it opens hundreds of sockets.
//
// FloodMeasure (disabled; --gtest_also_run_disabled_tests) prints the figures for the issue's note:
// threads, descriptors, RSS and a client's fetch latency p50/p99 during a 1,500-connection flood,
// for the binary in JETTISON_FLOOD_DESKTOP (default: this build's jettison-desktop).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>

#include "tests/emu/memserver/flood_client.hpp"
#include "tests/emu/memserver/test_image.hpp"

namespace jettison::emu {
namespace {

using std::chrono::milliseconds;
using test::kPage;
constexpr std::uint64_t kPages = 256;

// jettison-desktop on 127.0.0.1 (any free port), dry-run power, its log in the test's folder.
class Agent {
 public:
  Agent(const std::filesystem::path& dir, const std::filesystem::path& image,
        std::vector<std::string> extra) {
    std::ofstream(dir / "psk.hex") << std::string(64, '4') << "\n";  // 32 bytes of 0x44
    log_ = dir / "agent.log";
    const char* exe_env = std::getenv("JETTISON_FLOOD_DESKTOP");
    std::vector<std::string> args = {
        exe_env && *exe_env ? exe_env : std::string(JETTISON_BIN_DIR) + "/jettison-desktop",
        "--image",
        image.string(),
        "--listen",
        "127.0.0.1:0",
        "--psk-file",
        (dir / "psk.hex").string(),
        "--psk-identity",
        "desktop-1",
        "--power",
        "real",
        "--dry-run",
        "--log-level",
        "info",
        "--run-for",
        "10min"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(fd);
  }
  ~Agent() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  std::string log() const { return testing_read(log_); }
  // The port from the agent's "serving ... on 127.0.0.1:PORT" line; 0 if it did not start.
  std::uint16_t wait_port() const {
    const std::regex serving(R"(on 127\.0\.0\.1:(\d+) \()");
    std::smatch m;
    std::string text;
    test::eventually(
        [&] {
          text = log();
          return std::regex_search(text, m, serving);
        },
        milliseconds(15'000));
    return m.empty() ? 0 : static_cast<std::uint16_t>(std::stoul(m[1].str()));
  }

 private:
  static std::string testing_read(const std::filesystem::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::filesystem::path log_;
  pid_t pid_ = -1;
};

TlsConfig agent_psk() { return TlsConfig::psk("desktop-1", std::vector<unsigned char>(32, 0x44)); }

void raise_fd_limit() {
  rlimit r{};
  ::getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &r);
}

bool fetch_matches(PageClient& client) {
  std::vector<std::uint64_t> pages(kPages);
  for (std::uint64_t p = 0; p < kPages; ++p) pages[p] = p;
  bool ok = true;
  std::uint64_t seen = 0;
  client.get_pages(pages, [&](std::uint64_t p, const std::byte* data) {
    ++seen;
    const auto want = test::page_content(p);
    ok = ok && (data == nullptr ? test::zero_page(p) : std::memcmp(data, want.data(), kPage) == 0);
  });
  return ok && seen == kPages;
}

TEST(ConnectionFlood, IdleConnectionsStayWithinTheLimitsAndClientsAreServed) {
  raise_fd_limit();
  test::TempDir dir;
  const auto image = test::write_image(dir.path(), kPages);
  // Limits: 32 open, 16 in handshake, 8 per peer; handshake deadline 2 s.
  Agent agent(dir.path(), image,
              {"--max-connections", "32", "--max-handshakes", "16", "--max-per-peer", "8",
               "--handshake-timeout", "2s"});
  const std::uint16_t port = agent.wait_port();
  ASSERT_NE(port, 0) << agent.log();
  auto before_flood = test::client_from("127.0.0.1", port, agent_psk());  // in before the flood
  ASSERT_TRUE(fetch_matches(*before_flood));
  const test::ProcessUsage base = test::process_usage(agent.pid());

  std::vector<Fd> flood;
  for (int i = 0; i < 400; ++i) flood.push_back(test::connect_from("127.0.0.1", port));
  // The agent has seen them all once its log says so, or after a moment; then count.
  std::this_thread::sleep_for(milliseconds(500));
  const test::ProcessUsage during = test::process_usage(agent.pid());
  // 127.0.0.1 holds at most 8 handshakes: one thread and two descriptors each (+2 for a client
  // connecting meanwhile and a thread finishing).
  EXPECT_LE(during.threads, base.threads + 8 + 2) << "threads " << base.threads << " -> " << during.threads;
  EXPECT_LE(during.fds, base.fds + 2 * 8 + 4) << "descriptors " << base.fds << " -> " << during.fds;

  // Clients are served during the flood: the one already in, and a new one from another address.
  EXPECT_TRUE(fetch_matches(*before_flood));
  auto other_peer = test::client_from("127.0.0.2", port, agent_psk());
  EXPECT_TRUE(fetch_matches(*other_peer));

  // Every flood connection is closed: over the limits at once, the admitted ones at the deadline.
  std::size_t open = 0;
  for (auto& fd : flood) open += test::closed_by_server(fd.get(), milliseconds(15'000)) ? 0 : 1;
  EXPECT_EQ(open, 0u) << "connections still open 15 s after a 2 s handshake deadline";
  const std::string log = agent.log();
  EXPECT_NE(log.find("handshake timeout"), std::string::npos) << log;
  EXPECT_NE(log.find("at once"), std::string::npos) << log;
  EXPECT_LT(std::count(log.begin(), log.end(), '\n'), 200) << "the refusals are logged one line a second";
  EXPECT_TRUE(fetch_matches(*before_flood));
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

// Not a test: figures for the issue's closing note (no assertion on them).
TEST(ConnectionFlood, DISABLED_FloodMeasure) {
  raise_fd_limit();
  test::TempDir dir;
  const auto image = test::write_image(dir.path(), kPages);
  Agent agent(dir.path(), image, {});
  const std::uint16_t port = agent.wait_port();
  ASSERT_NE(port, 0) << agent.log();
  auto client = test::client_from("127.0.0.2", port, agent_psk());
  auto fetch_ms = [&](int n) {
    std::vector<double> ms;
    for (int i = 0; i < n; ++i) {
      const std::uint64_t page = static_cast<std::uint64_t>(i * 7 + 1) % kPages;
      const auto t0 = std::chrono::steady_clock::now();
      client->get_pages(std::vector<std::uint64_t>{page}, [](std::uint64_t, const std::byte*) {});
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      std::this_thread::sleep_for(milliseconds(2));
    }
    return ms;
  };
  const auto idle_ms = fetch_ms(500);
  const auto base = test::process_usage(agent.pid());
  std::vector<Fd> flood;
  test::ProcessUsage peak = base;
  auto sample = [&] {
    const auto u = test::process_usage(agent.pid());
    peak.threads = std::max(peak.threads, u.threads);
    peak.fds = std::max(peak.fds, u.fds);
    peak.rss_kib = std::max(peak.rss_kib, u.rss_kib);
  };
  for (int i = 0; i < 1500; ++i) {
    try {
      flood.push_back(test::connect_from("127.0.0.1", port));
    } catch (const std::exception& e) {
      fmt::print("connect {} failed: {}\n", i, e.what());
      break;
    }
    if (i % 100 == 0) sample();
  }
  std::vector<double> flood_ms;
  for (int round = 0; round < 10; ++round) {
    const auto ms = fetch_ms(100);
    flood_ms.insert(flood_ms.end(), ms.begin(), ms.end());
    sample();
  }
  // New clients from another address during the flood: connect, TLS and HELLO.
  std::vector<double> connect_ms;
  for (int i = 0; i < 20; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    try {
      auto c = test::client_from("127.0.0.2", port, agent_psk());
      connect_ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    } catch (const std::exception& e) {
      fmt::print("new client {} failed: {}\n", i, e.what());
    }
  }
  double load[3] = {};
  ::getloadavg(load, 3);
  const char* exe_env = std::getenv("JETTISON_FLOOD_DESKTOP");
  fmt::print("binary: {}\n", exe_env && *exe_env ? exe_env : "this build's jettison-desktop");
  fmt::print("before flood: threads {}, descriptors {}, RSS {} MiB; fetch p50 {:.3f} ms, p99 {:.3f} ms\n",
             base.threads, base.fds, base.rss_kib / 1024, percentile(idle_ms, 0.5),
             percentile(idle_ms, 0.99));
  fmt::print(
      "{} connections open: peak threads {}, descriptors {}, RSS {} MiB; fetch p50 {:.3f} ms, p99 {:.3f} "
      "ms\n",
      flood.size(), peak.threads, peak.fds, peak.rss_kib / 1024, percentile(flood_ms, 0.5),
      percentile(flood_ms, 0.99));
  fmt::print("new clients during the flood: {} of 20 in, connect p50 {:.3f} ms, max {:.3f} ms\n",
             connect_ms.size(), percentile(connect_ms, 0.5), percentile(connect_ms, 1.0));
  fmt::print("load average {:.2f} {:.2f} {:.2f}\n", load[0], load[1], load[2]);
}

}  // namespace
}  // namespace jettison::emu
